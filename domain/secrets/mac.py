"""The cache MAC: what makes a cache (an aggregate snapshot, a read-model row) impossible to forge.

Snapshots and read models are caches of what the events say, kept in the database beside the
log but not covered by its hash chain. Commands validate against aggregate snapshots and
exports read the read models, so an insider who edited one (``in_siu = true`` in a snapshot, a
multiplied ``minutes``) could let forbidden events into the chained log or change the numbers
while ``verify`` stayed clean. Every cache row therefore carries a MAC (keyed BLAKE2b, 128
bits) under the **cache key**, kept outside the database (:func:`.keys.cache_key`), and is
checked before it is used; a row that fails is reported and never used (the aggregate is
replayed from its events, a read model rebuilt).

The store records the key's fingerprint (``cl_store_key``, beside the store key's); a process
holding another cache key is refused when it opens the store — its MACs would call every
honest cache forged — unless it rebuilds every cache under its own key
(``caseledger rebuild --new-cache-key``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Any

import msgspec

from caseledger.domain.secrets.derive import CACHE_KEY_FINGERPRINT, MAX_KEY, Derivation, derive

MAC_SIZE = 16
_encoder = msgspec.msgpack.Encoder()


class CacheSeal:
    """MACs for cache rows under the cache key (its first :data:`~.derive.MAX_KEY` bytes, BLAKE2b's longest key)."""

    def __init__(self, key: bytes) -> None:
        self._key = key[:MAX_KEY]
        self.fingerprint = "cache " + derive(self._key, CACHE_KEY_FINGERPRINT).hex()

    def mac(self, label: str, parts: Any) -> bytes:
        """The MAC of ``parts`` (anything msgpack encodes: the row's columns) under ``label``
        (the cache it belongs to, so a row cannot be moved between caches)."""
        return hashlib.blake2b(_encoder.encode((label, parts)), key=self._key, digest_size=MAC_SIZE).digest()

    def derived(self, derivation: Derivation) -> bytes:
        """A key derived from the cache key (e.g. :data:`~.derive.LEDGER_MAC`), so it too lives
        outside the database."""
        return derive(self._key, derivation)

    def first_forged(self, label: str, rows: Sequence[Sequence[Any]]) -> int | None:
        """The index of the first of ``rows`` (columns, then the MAC) whose MAC is not theirs, or
        None: :meth:`valid` in one loop for a census of millions of rows (no timing oracle is at
        stake here — whoever could time it can read the database)."""
        encode, key, blake2b = _encoder.encode, self._key, hashlib.blake2b
        for index, row in enumerate(rows):
            if blake2b(encode((label, row[:-1])), key=key, digest_size=MAC_SIZE).digest() != row[-1]:
                return index
        return None

    def valid(self, label: str, parts: Any, mac: bytes | memoryview | None) -> bool:
        """Whether ``mac`` is the MAC of ``parts`` (compared in constant time)."""
        return mac is not None and hmac.compare_digest(bytes(mac), self.mac(label, parts))
