"""caseledger's write side: the event catalogue, the write model, the store and tamper evidence.

Nothing here imports Textual or anything above the domain (import-linter enforces it): the core
runs headless, from the command line, the TUI's thread workers, tests and benchmarks alike.
"""
