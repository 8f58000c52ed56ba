"""Read models: the tables kept beside the log, their SQL access, and the MAC on every row and the seal on every table."""
