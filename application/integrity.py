"""Proving the log is what was recorded: verify the hash chain, against a signed checkpoint or
alone, and sign a checkpoint with a key kept outside the store."""

from __future__ import annotations

from pathlib import Path

from caseledger.domain.integrity.checkpoint import Checkpoint, check, default_key_path, make_checkpoint, pinned_public_key, read_checkpoint
from caseledger.domain.integrity.verify import Verdict, verify
from caseledger.domain.store.application import LedgerApplication


def verify_store(app: LedgerApplication, checkpoint: Path | None = None, public_key: Path | None = None) -> Verdict:
    """The whole chain recomputed; with ``checkpoint``, also that the log still holds exactly what
    it covered and only grew since (signed by ``public_key`` when given: pin it)."""
    if checkpoint is None:
        return verify(app)
    pinned = pinned_public_key(public_key) if public_key else None
    return check(app, read_checkpoint(checkpoint), pinned)


def sign_checkpoint(app: LedgerApplication, key: Path | None = None) -> Checkpoint:
    """A checkpoint of the verified head, signed with ``key`` (default: the user config directory's,
    created on first use)."""
    return make_checkpoint(app, key or default_key_path())
