"""caseledger's write side: the event catalogue, aggregates, validation, the store and its mapper.

Nothing here imports Textual (a test enforces it): the core runs headless, from the command
line, the TUI's thread workers, tests and benchmarks alike.
"""
