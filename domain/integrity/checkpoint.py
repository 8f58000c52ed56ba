"""Signed checkpoints: an Ed25519 signature over (position, chain head), kept outside the database.

``caseledger checkpoint`` verifies the chain, then signs ``caseledger-checkpoint-v1 ‖ position ‖
head`` with a private key kept in a file outside the store (created on first use, by default in
the user config folder: :func:`caseledger.domain.secrets.keys.signing_key`). The checkpoint file
(JSON) carries the signature and the public key, so it proves who signed it only against a
pinned public key (``verify --public-key``, or the settings' pin): a checkpoint re-signed with a
fresh key is refused, and one checked with no pin at all is refused too
(:func:`caseledger.application.integrity.verify_store`). ``verify --checkpoint`` then proves the
log still holds exactly what the checkpoint covered (the recomputed head at its position equals the signed head) and only grew
since (the chain runs on unbroken).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection
from pathlib import Path
from typing import Annotated

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from caseledger.domain.errors import DomainError, LedgerError
from caseledger.domain.inputs import SMALL_FILE_CAP, read_regular
from caseledger.domain.integrity.chain import GENESIS, node_hash
from caseledger.domain.integrity.verify import EVENT_COLUMNS, UNCHAINED, Ledger, Verdict, stored_leaf, verify
from caseledger.domain.secrets.keys import signing_key

MAGIC = b"caseledger-checkpoint-v1\x00"
TRUNCATED = "the log no longer reaches the checkpoint's position (truncated)"
DIFFERS = "the log up to the checkpoint differs from what the checkpoint covered"


class CheckpointError(LedgerError):
    """A checkpoint file is unreadable, or the store cannot be checkpointed."""


Hex = Annotated[str, msgspec.Meta(pattern="^[0-9a-f]*$")]


class Checkpoint(msgspec.Struct, forbid_unknown_fields=True):
    """A signed (position, head) of the chain; a file that does not fit is refused when read."""

    position: Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
    head: Annotated[Hex, msgspec.Meta(min_length=64, max_length=64)]
    events: Annotated[int, msgspec.Meta(ge=0)]
    created_at: dt.datetime
    public_key: Annotated[Hex, msgspec.Meta(min_length=64, max_length=64)]
    signature: Annotated[Hex, msgspec.Meta(min_length=128, max_length=128)]
    quarantined: list[Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]] = msgspec.field(default_factory=list)
    """Positions of events outside the chain (no entry of their own) that the log held when it was
    signed, each quarantined — excluded from every figure; the signature covers them."""
    note: str | None = None
    """The Merkle log's tree head up to ``position``, as a C2SP checkpoint signed note under the
    same key (:mod:`caseledger.application.proofs`): what a keyless auditor checks files and proofs
    against. Checkpoints made before the Merkle log have none."""


def _message(position: int, head: bytes, quarantined: list[int]) -> bytes:
    message = MAGIC + position.to_bytes(8, "big") + head
    if quarantined:  # a checkpoint without any signs what it always signed
        message += b"quarantined\x00" + b"".join(found.to_bytes(8, "big") for found in quarantined)
    return message


def _raw_public(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def make_checkpoint(app: Ledger, key_path: Path, *, key: bytes | None = None, quarantined: Collection[int] = ()) -> Checkpoint:
    """Verify the chain (its MACs too, with ``key``, the ledger key), then sign its head. A log whose
    only breaks are events outside the chain, every one in ``quarantined``, is signed with them named."""
    verdict = verify(app, key=key)
    outside = verdict.unchained
    if any(found.reason != UNCHAINED for found in verdict.breaks) or not set(outside) <= set(quarantined):
        first = next((found for found in verdict.breaks if found.reason != UNCHAINED or found.first not in quarantined), verdict.breaks[0])
        raise CheckpointError(f"the chain is broken at {first.described()}; not signing it")
    return signed(verdict.head_position, verdict.head, verdict.events, signing_key(key_path), outside)


def signed(position: int, head: bytes, events: int, key: Ed25519PrivateKey, quarantined: list[int] | None = None) -> Checkpoint:
    """A checkpoint of ``head`` at ``position`` signed with ``key`` (the caller has verified it)."""
    outside = sorted(quarantined or [])
    return Checkpoint(
        position=position,
        head=head.hex(),
        events=events,
        created_at=dt.datetime.now(dt.UTC),
        public_key=_raw_public(key.public_key()),
        signature=key.sign(_message(position, head, outside)).hex(),
        quarantined=outside,
    )


def read_checkpoint(path: Path) -> Checkpoint:
    """The checkpoint in ``path`` (a regular file of a few hundred bytes: :mod:`caseledger.domain.inputs`)."""
    try:
        return msgspec.json.decode(read_regular(path, str(path), SMALL_FILE_CAP), type=Checkpoint)
    except DomainError as error:
        raise CheckpointError(f"{path}: not a caseledger checkpoint: {error.rule}") from None
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise CheckpointError(f"{path}: not a caseledger checkpoint: {error}") from None


def pinned_public_key(path: Path, source: str = "--public-key") -> str:
    """The raw hex public key of a PEM public or private key file; ``source`` (the flag or
    setting that named the file) starts a refusal."""
    try:
        data = read_regular(path, str(path), SMALL_FILE_CAP)
    except DomainError as error:
        raise CheckpointError(f"{source}: {path}: cannot read the public key: {error.rule}") from None
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            private = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            raise CheckpointError(f"{source}: {path}: not a PEM Ed25519 key") from None
        key = private.public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(f"{source}: {path}: not an Ed25519 key")
    return _raw_public(key)


def check(app: Ledger, checkpoint: Checkpoint, pinned: str | None = None, *, since: bool = False, key: bytes | None = None) -> Verdict:
    """The chain's verdict, failing at the checkpoint's position if the log no longer matches it.

    ``since``: trust what the (signed, verified) checkpoint covered and walk only the events after
    it, from its head — the cost is proportional to what was recorded since. The event at the
    checkpoint's position must still be there with the leaf and head the checkpoint knew."""
    if pinned is not None and pinned != checkpoint.public_key:
        raise CheckpointError("the checkpoint was signed with a different key than the pinned one")
    head = bytes.fromhex(checkpoint.head)
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(checkpoint.public_key)).verify(
            bytes.fromhex(checkpoint.signature), _message(checkpoint.position, head, checkpoint.quarantined)
        )
    except (InvalidSignature, ValueError):
        raise CheckpointError("the checkpoint's signature does not match its contents") from None
    if since or checkpoint.position == 0:
        return _since(app, checkpoint.position, head, key)
    verdict = verify(app, keep_heads_at={checkpoint.position}, key=key)
    recomputed = (verdict.heads or {}).get(checkpoint.position)
    if recomputed is None:
        return verdict.broken(checkpoint.position, TRUNCATED)
    if recomputed != head:
        return verdict.broken(checkpoint.position, DIFFERS)
    return verdict


def _since(app: Ledger, position: int, head: bytes, key: bytes | None) -> Verdict:
    """The signed head must still follow from the chain entry before the checkpoint's event and
    that event's recomputed leaf — a preimage of SHA-256 short of forging — then the walk goes on
    from the signed head. (The chain rows are in the database too: checking the event against its
    own row's leaf alone would let a rewritten event with a rewritten leaf through.)"""
    if position == 0:  # a checkpoint of an empty log: everything came after it
        return verify(app, key=key)
    log = app.ledger_recorder
    event = next(iter(log.events_after(EVENT_COLUMNS, position - 1, 1)), None)
    if event is None or event[0] != position:
        return Verdict(0, head, position).broken(position, TRUNCATED)
    before = log.chain_before(position)
    previous = bytes(before[2]) if before is not None else GENESIS
    if node_hash(previous, stored_leaf(event)) != head:
        return Verdict(0, head, position).broken(position, DIFFERS)
    verdict = verify(app, start=(position, head), key=key)
    return dataclasses.replace(verdict, events=verdict.events + 1)
