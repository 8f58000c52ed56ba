"""The terminal UI (Textual): screens, forms and workers over the application layer."""
