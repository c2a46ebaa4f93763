"""The model: what the read stage builds once and every output reads (frozen)."""
