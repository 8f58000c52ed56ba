"""Tamper evidence: the hash chain's hashes, verification, signed checkpoints (the store is read only
through a two-method protocol, so the store itself can depend on the hashes)."""
