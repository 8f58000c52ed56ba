"""Read models over the ledger's log (the projections issue fills this package)."""
