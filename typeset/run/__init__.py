"""Running builds: one article, many, cached, within time limits."""
