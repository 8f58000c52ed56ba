"""Proving the log is what was recorded: verify the hash chain, against a signed checkpoint or
alone, and sign a checkpoint with a key kept outside the store. What a person checks by eye —
which key signed, where it was pinned from, whether a signing key was just made — comes back with
the verdict and the checkpoint, for the front end to say."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from caseledger.application.proofs import FileCheck, check_event_file, check_tree, head_at, read_tree_head, signed_tree_head
from caseledger.domain.errors import CacheForged, LogUnauthenticated, StoreURLError
from caseledger.domain.integrity.checkpoint import DIFFERS, TRUNCATED, Checkpoint, CheckpointError, check, make_checkpoint, pinned_public_key, read_checkpoint
from caseledger.domain.integrity.signed_note import TreeHead
from caseledger.domain.integrity.verify import Verdict, verify
from caseledger.domain.integrity.witness import Seen, check_extends, remember
from caseledger.domain.secrets.keys import signing_key
from caseledger.domain.settings import PUBLIC_KEY_VARIABLE, Settings
from caseledger.domain.store.application import LedgerApplication
from caseledger.domain.store.keys import held_ledger_key, holds_cache_key
from caseledger.domain.store.migrations import keeps_tree
from caseledger.projections.engine.deep import Difference
from caseledger.projections.engine.deep import deep_difference as _deep
from caseledger.projections.engine.projector import Projector
from caseledger.projections.engine.quarantine import Quarantined


@dataclass(frozen=True)
class CheckpointSigner:
    """The checkpoint a verification was checked against and who signed it: the pinned key's
    fingerprint and where the pin came from (the flag, or the setting) — what the auditor compares
    with the key they expect."""

    position: int
    signed_at: dt.datetime
    fingerprint: str
    """:func:`key_fingerprint` of the pinned public key."""
    pinned_by: str
    """``--public-key`` or the setting's variable (:data:`~caseledger.domain.settings.PUBLIC_KEY_VARIABLE`)."""
    pin_file: Path
    moved: bool = False
    """The store is a moved copy: the checkpoint's tree head matches, its chain head (the source
    store's own) is not this store's (:func:`_a_moved_copy`). Verified in full, even when asked
    for ``--since-checkpoint``: no chain head of this store's was signed to start from."""


@dataclass(frozen=True)
class NewCheckpoint:
    """A checkpoint signed, and the signing key file made for it (None: the key already existed)."""

    checkpoint: Checkpoint
    new_key: Path | None = None


def key_fingerprint(public_key: str) -> str:
    """``SHA256:`` and the unpadded base64 of the SHA-256 of an Ed25519 public key (raw hex) in its
    DER form — what ``openssl pkey -pubin -in KEY.pem -outform DER | openssl dgst -sha256 -binary
    | base64`` prints for its PEM file, less the padding."""
    der = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "SHA256:" + base64.b64encode(hashlib.sha256(der).digest()).decode().rstrip("=")


def verify_store(
    app: LedgerApplication, checkpoint: Path | None = None, public_key: Path | None = None, *, since_checkpoint: bool = False, store: str = ""
) -> tuple[Verdict, CheckpointSigner | None]:
    """The whole chain recomputed; with ``checkpoint``, also that the log still holds exactly what
    it covered and only grew since, signed by the pinned key: ``public_key``, else the one the
    settings pin (:attr:`~caseledger.domain.settings.Settings.checkpoint_public_key`) — and who
    signed it (:class:`CheckpointSigner`). A checkpoint carries its own public key, so without a
    pin it is refused: it would prove only that *someone* signed the log as it is now. With
    ``since_checkpoint``, only what follows the checkpoint is walked (its count of events is the
    checkpoint's own event and those after it)."""
    key = ledger_key(app)
    if checkpoint is None:
        if since_checkpoint:
            raise CheckpointError("--since-checkpoint needs --checkpoint FILE (the signed head to start from)")
        return witnessed(app, with_tree(app, verify(app, key=key)), store), None
    signed = read_checkpoint(checkpoint)
    pinned, source = pinned_key_file(public_key)
    raw = pinned_public_key(pinned, source)
    chained = check(app, signed, raw, since=since_checkpoint, key=key)  # first: it names a key other than the pinned one
    head = read_tree_head(checkpoint, raw) if signed.note is not None else None
    verdict = with_tree(app, chained, head, since=since_checkpoint)
    if since_checkpoint and head is not None and _only_the_signed_head(verdict, signed.position):
        # a moved copy's chain is its own: nothing of it is signed to start from, so it is verified in full
        verdict = with_tree(app, check(app, signed, raw, key=key), head)
        since_checkpoint = False
    moved = head is not None and not since_checkpoint and _a_moved_copy(verdict, signed.position)
    if moved:
        verdict = dataclasses.replace(verdict, breaks=tuple(found for found in verdict.breaks if found.first != signed.position))
    return witnessed(app, verdict, store), CheckpointSigner(signed.position, signed.created_at, key_fingerprint(raw), source, pinned, moved)


def _only_the_signed_head(verdict: Verdict, position: int) -> bool:
    """Whether every break is the chain's, at the checkpoint's position: the chain head signed is
    not this store's (a moved copy has a chain of its own, or a rewritten one)."""
    return bool(verdict.breaks) and all(found.first == position and found.reason in (DIFFERS, TRUNCATED) for found in verdict.breaks)


def _a_moved_copy(verdict: Verdict, position: int) -> bool:
    """Whether the only break is the chain's, at the checkpoint's position, while the Merkle log —
    every leaf recomputed from its event — gives the signed tree head: the events are the ones
    signed, stored in another store's bytes (a store moved with ``--keep-recorded`` has a chain
    of its own). An encrypted store read without its key cannot tell, and is not taken for one."""
    return verdict.tree_checked and _only_the_signed_head(verdict, position)


def pinned_key_file(public_key: Path | None) -> tuple[Path, str]:
    """The public key file a checkpoint is checked against and what pinned it: ``public_key``
    (``--public-key``), else the settings' pin; refused when there is neither."""
    if public_key is not None:
        return public_key, "--public-key"
    pinned = Settings.current().checkpoint_public_key
    if pinned is None:
        raise CheckpointError(
            f"--public-key: a checkpoint is checked only against its signer's pinned public key: give --public-key PEM or set {PUBLIC_KEY_VARIABLE}"
        )
    return pinned, PUBLIC_KEY_VARIABLE


def with_tree(app: LedgerApplication, verdict: Verdict, head: TreeHead | None = None, *, since: bool = False) -> Verdict:
    """``verdict`` with the Merkle log's check (:func:`~caseledger.application.proofs.check_tree`):
    a break at the first leaf that is not what its event gives, or where the tree up to the
    signed ``head`` differs from it; ``tree_checked`` when every leaf walked was recomputed from
    its event. A store not yet at the format that keeps the tree is left unchecked (its owner
    builds it by opening the store with its keys)."""
    if not keeps_tree(app.ledger_recorder):
        return verdict
    tree = check_tree(app, head, since=since)
    if tree.problem is not None:
        return verdict.broken(tree.problem[0], f"Merkle log: {tree.problem[1]}")
    return dataclasses.replace(verdict, tree_checked=not tree.unread)


def witnessed(app: LedgerApplication, verdict: Verdict, store: str) -> Verdict:
    """``verdict`` with what this user's clients remember of the store (:mod:`~caseledger.domain.integrity.witness`):
    a break where the log no longer extends it; remembered anew where the log is intact and its MACs were checked."""
    if not store:
        return verdict
    try:
        check_extends(store, app.ledger_recorder.head_at)
    except LogUnauthenticated as alarm:
        return verdict.broken(alarm.position, alarm.reason)
    if verdict.ok and verdict.macs_checked and verdict.head_position:
        remember(store, Seen(verdict.head_position, verdict.head))
    return verdict


def ledger_key(app: LedgerApplication) -> bytes | None:
    """The ledger key the chain's MACs are checked with, if this process holds the store's cache
    key (a process that opened the store without its keys may not: then only the public chain is
    checked, and ``verify`` says so)."""
    return app.ledger_key if app.ledger_recorder.chain_key is not None else held_ledger_key(app.ledger_recorder, app.env.get("CIPHER_KEY"))


def sign_checkpoint(app: LedgerApplication, key: Path | None = None, quarantined: Collection[int] = ()) -> NewCheckpoint:
    """A checkpoint of the verified head (MACs checked where this process holds the ledger key),
    signed with ``key`` (default: the user config directory's, created on first use, and then
    named in the result); events outside the chain are signed over only when every one is
    ``quarantined``."""
    path = key or Settings.current().default_checkpoint_key_file
    existed = path.exists()
    made = make_checkpoint(app, path, key=ledger_key(app), quarantined=quarantined)
    if keeps_tree(app.ledger_recorder):
        tree = check_tree(app)
        if tree.problem is not None:
            raise CheckpointError(f"the Merkle log is broken at position {tree.problem[0]}: {tree.problem[1]}; not signing it")
    else:
        raise CheckpointError("the Merkle log is not built yet: the store's owner builds it by opening the store with its keys; not signing it")
    note = signed_tree_head(head_at(app, made.position), signing_key(path))
    return NewCheckpoint(msgspec.structs.replace(made, note=note), None if existed else path)


def checkpoint_document(made: Checkpoint) -> bytes:
    """A checkpoint as its file holds it: indented JSON, one line at the end."""
    return msgspec.json.format(msgspec.json.encode(made), indent=2) + b"\n"


def deep_difference(app: LedgerApplication) -> Difference | None:
    """``verify --deep``: the first cache that is not what the log gives (:mod:`caseledger.projections.engine.deep`)."""
    return _deep(app)


def quarantine_listing(projector: Projector) -> tuple[list[Quarantined], str | None]:
    """The events the read side quarantined (:mod:`caseledger.projections.engine.quarantine`) as
    far as its read models reach — position, type, proven author, reason, whether retracted — or
    an empty list and why it could not be read: the list is sealed under the cache key, which
    a process that only verifies may not hold, and a list that fails its MAC is not shown."""
    try:
        if not holds_cache_key(projector.app.ledger_recorder, projector.app.seal):
            return [], "this process does not hold the cache key the quarantine list is sealed with"
        return projector.quarantined(), None
    except (StoreURLError, CacheForged) as error:
        return [], str(error)


def quarantined_positions(app: LedgerApplication) -> list[int]:
    """The log positions the read side quarantined, in order: the breaks a checkpoint may sign
    over, saying so (the read models are caught up first where this process may write them)."""
    projector = Projector(app)
    projector.catch_up()
    return projector.quarantined_positions()


def quarantine_line(event: Quarantined) -> str:
    """One quarantined event as ``status``, ``verify`` and the Audit screen say it (not yet
    escaped: the front end escapes it for where it goes)."""
    state = "retracted, quarantined" if event.retracted else "QUARANTINED"
    return f"{state} position {event.position}: {event.type} by {event.author}: {event.reason}"


def checked_head(checkpoint: Path, public_key: Path | None) -> TreeHead:
    """The tree head ``checkpoint`` signs (a checkpoint file, or its note alone), its signature
    checked against the pinned key."""
    pinned, source = pinned_key_file(public_key)
    return read_tree_head(checkpoint, pinned_public_key(pinned, source))


def check_file(lines: Iterable[bytes], checkpoint: Path, public_key: Path | None) -> FileCheck:
    """``verify-file``: whether an exported event file begins with the log ``checkpoint`` signs
    (:func:`~caseledger.application.proofs.check_event_file`). It opens no store, so it has no
    seat and no permission to check: whoever holds the file and the checkpoint may check them."""
    return check_event_file(lines, checked_head(checkpoint, public_key))
