"""The read stage: from the files an editor writes to the article model, checked."""
