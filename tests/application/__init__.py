"""The application layer: imports, the interchange format, history, bad input."""
