"""What people ask of the ledger — record, import, query, export, verify — shared by the command line and the TUI."""
