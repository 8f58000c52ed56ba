"""The write side on real stores: validation, the mapper, recorders, snapshots, tamper evidence, concurrency, processes."""
