"""JATS XML, written and validated."""
