"""An auditor's own Merkle log of an exported event file, written from the documents alone: the
canonical leaf as :mod:`caseledger.domain.integrity.canonical` describes its bytes (format 1) and
RFC 6962's recursive definitions (MTH, PATH) — no import of the product's integrity code, so a
test comparing the store's tree with this one fails if either drifts from the documents.

A line of ``caseledger events`` is the event's own fields beside the envelope's keys; its log
position is ``position`` (``log_position`` on an ``EventRetracted``, whose ``position`` names the
event it retracts). Its leaf is::

    {"entered_by":…,"fields":{…},"note":…,"occurred_at":"…Z","recorded_at":"…Z","recorded_by":…,"type":…}

keys sorted at every depth, no whitespace, both instants in UTC with six decimals only when the
microseconds are not zero, ``entered_by`` and ``note`` only when present, and a retraction's
target named by its leaf index (``"retracts_leaf": N``) when it is a line of the file.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ENVELOPE = ("type", "occurred_at", "recorded_at", "recorded_by", "entered_by", "note")


def own_position(line: dict[str, Any]) -> int:
    """The log position of an exported line."""
    return int(line["log_position"] if line["type"] == "EventRetracted" else line["position"])


def utc_text(instant: str) -> str:
    """An RFC 3339 instant with any offset, as the canonical leaf writes it."""
    moment = dt.datetime.fromisoformat(instant).astimezone(dt.UTC)
    fraction = f".{moment.microsecond:06d}" if moment.microsecond else ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def canonical_leaves(lines: Sequence[bytes]) -> list[bytes]:
    """The canonical leaf of each exported line, in order."""
    index_of: dict[int, int] = {}
    leaves = []
    for index, raw in enumerate(lines):
        line = json.loads(raw)
        position = own_position(line)
        fields = {key: value for key, value in line.items() if key not in (*ENVELOPE, "log_position" if line["type"] == "EventRetracted" else "position")}
        if line["type"] == "EventRetracted" and fields["position"] in index_of:
            fields["retracts_leaf"] = index_of[fields.pop("position")]
        leaf: dict[str, Any] = {
            "type": line["type"],
            "fields": fields,
            "occurred_at": utc_text(line["occurred_at"]),
            "recorded_at": utc_text(line["recorded_at"]),
            "recorded_by": line["recorded_by"],
        }
        leaf.update({key: line[key] for key in ("entered_by", "note") if line.get(key) is not None})
        leaves.append(json.dumps(leaf, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
        index_of[position] = index
    return leaves


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(hashes: Sequence[bytes]) -> bytes:
    """RFC 6962 §2.1's MTH over leaf *hashes* (each already SHA-256(0x00 ‖ leaf))."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = largest_power_of_two_below(len(hashes))
    return node_hash(mth(hashes[:k]), mth(hashes[k:]))


def root_from_path(leaf: bytes, index: int, size: int, path: Sequence[bytes]) -> bytes:
    """The root an audit path (bottom up, RFC 6962 §2.1.1's PATH) leads ``leaf`` at ``index`` to,
    by PATH's own recursion run backwards; ValueError when the path has the wrong length."""
    if size == 1:
        if path:
            raise ValueError("the path is longer than the tree is deep")
        return leaf
    if not path:
        raise ValueError("the path is shorter than the tree is deep")
    k = largest_power_of_two_below(size)
    *below, sibling = path
    if index < k:
        return node_hash(root_from_path(leaf, index, k, below), sibling)
    return node_hash(sibling, root_from_path(leaf, index - k, size - k, below))


def kept_nodes(hashes: Sequence[bytes]) -> list[tuple[int, int, bytes]]:
    """(level, index, hash) of every perfect subtree at levels 4, 8, 12, … of the tree over
    ``hashes`` (what ``cl_tree_nodes`` keeps), each hash the MTH of its 2**level leaves."""
    found = []
    level = 4
    while 1 << level <= len(hashes):
        found += [(level, index, mth(hashes[index << level : (index + 1) << level])) for index in range(len(hashes) >> level)]
        level += 4
    return found


def note_head(note: str) -> tuple[str, int, bytes]:
    """(origin, size, root) a C2SP checkpoint note's body states (its signature is not checked here)."""
    origin, size, root = note.split("\n")[:3]
    return origin, int(size), base64.b64decode(root)


def public_half(private: Path) -> Path:
    """The PEM public key of the signing key ``private``, beside it."""
    key = serialization.load_pem_private_key(private.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    public = private.with_suffix(".pub.pem")
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return public
