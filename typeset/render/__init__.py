"""The outputs: each renders the article model into one format."""
