"""Test helpers: a throwaway PostgreSQL cluster, a tiny world, strategies, the TUI rig, writer processes."""
