"""The reading page (HTML) with its metadata."""
