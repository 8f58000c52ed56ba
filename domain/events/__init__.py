"""The event catalogue: one payload Struct per event type, the single definition of every event."""
