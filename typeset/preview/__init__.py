"""The live preview: rebuilt on every save, served to the browser."""
