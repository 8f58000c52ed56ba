"""The engine: keeps the read models current (catch-up, rebuild, seal checks), recomputes them from the log (``verify --deep``), and computes a projection at a cut with its provenance."""
