"""The one way caseledger makes a key from another: keyed BLAKE2b under a label naming the purpose.

Every derived key is listed here with its label, size and keying, so no two purposes share a
label (a key made for one is useless for another). Stores, exports and read models hold what
these keys made — the cache and pseudonym keys' fingerprints recorded in ``cl_store_key``, names
cloaked with AES-SIV — so each derivation is fixed for good, and pinned to known bytes by
``tests/domain/test_secrets.py``.

Keyed BLAKE2b (RFC 7693) is a pseudorandom function of a secret with at least 128 bits of
entropy whichever of its two inputs carries it, and a derivation names which: ``"label"`` keys
BLAKE2b with the label and hashes the secret (the keys made from the store key, whose length the
user chooses); ``"secret"`` keys it with the secret and hashes the label (the keys made from the
cache key, whose MAC is keyed BLAKE2b under it too: :mod:`.mac`, and from the pseudonym key).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

MAX_KEY = 64
"""The longest BLAKE2b key, in bytes."""


@dataclass(frozen=True)
class Derivation:
    """How one key is made from its parent secret."""

    label: bytes
    size: int
    """Bytes of key, 1 to 64."""
    keyed_by: Literal["label", "secret"]
    """Which input keys BLAKE2b; the other is hashed."""


CACHE_KEY = Derivation(b"caseledger cache key", 32, "label")
"""An encrypted store's cache key (:mod:`.mac`), from the store key."""

READ_MODEL_NAMES = Derivation(b"caseledger read-model names", 64, "label")
"""The AES-SIV key (AES-256-SIV) that cloaks the names read models look rows up by
(:mod:`caseledger.domain.store.cloak`), from the store key."""

CACHE_KEY_FINGERPRINT = Derivation(b"caseledger cache key fingerprint", 16, "label")
"""The cache key's fingerprint, recorded in the store (it identifies the key, and opens nothing)."""

LEDGER_MAC = Derivation(b"caseledger ledger mac", 32, "secret")
"""The **ledger key**: the MAC on every chain entry (:func:`caseledger.domain.integrity.chain.entry_mac`),
from the cache key — every process that writes events or reads figures already holds it, and the
database never does, so an entry written without it (an event edited, inserted, appended,
re-attributed or re-chained by someone holding no key) is named by ``verify``."""

PSEUDONYM_KEY_FINGERPRINT = Derivation(b"caseledger pseudonym key fingerprint", 16, "secret")
"""The pseudonym key's fingerprint (:func:`.keys.pseudonym_key`), recorded in the store. The
pseudonym key itself derives from nothing: a key an analyst's process holds (the cache key, the
store key) would let it recompute every pseudonym from a list of offender ids."""


def derive(secret: bytes, derivation: Derivation) -> bytes:
    """The key ``derivation`` makes from ``secret`` (a secret keying BLAKE2b is at most :data:`MAX_KEY` bytes)."""
    if derivation.keyed_by == "secret":
        return hashlib.blake2b(derivation.label, key=secret, digest_size=derivation.size).digest()
    return hashlib.blake2b(secret, key=derivation.label, digest_size=derivation.size).digest()
