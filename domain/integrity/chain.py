"""Tamper evidence: a hash chain over the stored events, written with them.

Every stored event gets a *leaf* hash over its position and its stored bytes, and a *head*
hash chaining the leaf to the previous head, with RFC 6962's distinct prefixes so a leaf can
never be passed off as a node::

    leaf(n) = SHA-256(0x00 ‖ position ‖ originator id ‖ version ‖ len(topic) ‖ topic ‖ state)
    head(n) = SHA-256(0x01 ‖ head(n−1) ‖ leaf(n))        head(0) = 32 zero bytes

Each entry also carries a MAC under the **ledger key**, kept with the clients and never in the
database (:data:`caseledger.domain.secrets.derive.LEDGER_MAC`)::

    mac(n) = BLAKE2b-128(key = ledger key, position ‖ head(n) ‖ len(recorder) ‖ recorder)

``head(n)`` commits to the event's position and stored bytes and to every entry before it; the
recorder is the login the store proves inserted the event (PostgreSQL's ``recorded_by``; empty
on SQLite, whose recorder is in the event's bytes). The hash chain is public — anyone can
recompute it after an edit — the MAC is not: an entry written by someone without the key fails.

Both go into ``cl_chain`` in the same transaction as the event, for commands and imports alike,
written in one place: :meth:`caseledger.domain.store.backend.LedgerRecorder.append_chain`. Changing a
byte, deleting, reordering or inserting rows breaks the chain at that position; replacing or
truncating the tail consistently is caught against a signed checkpoint (:mod:`caseledger.domain.integrity.checkpoint`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from uuid import UUID

CHAIN_TABLE = "cl_chain"
"""The table beside the events holding each position's leaf and head."""

GENESIS = bytes(32)
MAC_SIZE = 16
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


def leaf_hash(position: int, originator_id: UUID | str, version: int, topic: str, state: bytes) -> bytes:
    """The leaf hash of one stored event (its position included, so moving it changes the hash)."""
    return leaf_of(position, identity_bytes(originator_id), version, topic, state)


def identity_bytes(originator_id: UUID | str) -> bytes:
    """An originator id's 16 bytes: a UUID's, or a stored text's (SQLite keeps 32 hex digits; any
    other text is read as a UUID, and one that is none raises ValueError)."""
    if isinstance(originator_id, UUID):
        return originator_id.bytes
    text = str(originator_id)
    if len(text) == 32 and text.isascii() and text.isalnum():
        try:
            return bytes.fromhex(text)
        except ValueError:
            pass
    return UUID(text).bytes


def leaf_of(position: int, identity: bytes, version: int, topic: str, state: bytes) -> bytes:
    """:func:`leaf_hash` of an id given as its 16 bytes (the walk's fast path: one buffer, one hash)."""
    encoded_topic = topic.encode()
    return hashlib.sha256(
        b"".join((LEAF_PREFIX, position.to_bytes(8, "big"), identity, version.to_bytes(8, "big"), len(encoded_topic).to_bytes(4, "big"), encoded_topic, state))
    ).digest()


def node_hash(previous: bytes, leaf: bytes) -> bytes:
    """The chain head after ``leaf``."""
    return hashlib.sha256(NODE_PREFIX + previous + leaf).digest()


def entry_mac(key: bytes, position: int, head: bytes, recorder: str | None) -> bytes:
    """The MAC of the chain entry at ``position`` with ``head``, recorded by ``recorder``, under the ledger key."""
    author = (recorder or "").encode()
    message = position.to_bytes(8, "big") + head + len(author).to_bytes(4, "big") + author
    return hashlib.blake2b(message, key=key[:64], digest_size=MAC_SIZE).digest()


def chain_rows(
    previous: bytes, events: Iterable[tuple[int, UUID | str, int, str, bytes, str | None]], key: bytes | None
) -> list[tuple[int, bytes, bytes, bytes | None]]:
    """(position, leaf, head, mac) rows for ``events`` (position, originator id, version, topic,
    state, recorder), continuing from head ``previous``; ``key``: the ledger key (None: no MAC)."""
    rows = []
    head = previous
    for position, originator_id, version, topic, state, recorder in events:
        leaf = leaf_hash(position, originator_id, version, topic, state)
        head = node_hash(head, leaf)
        rows.append((position, leaf, head, entry_mac(key, position, head, recorder) if key is not None else None))
    return rows
