"""Tamper evidence: the hash chain's hashes, verification, signed checkpoints (nothing here reads the store itself)."""
