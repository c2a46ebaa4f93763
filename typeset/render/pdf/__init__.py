"""The print PDF, laid out by WeasyPrint."""
