"""Read models: the tables the engine keeps beside the log, their SQL access, and the catch-up engine."""
