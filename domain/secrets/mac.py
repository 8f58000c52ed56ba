"""The cache key: what makes a cache (an aggregate snapshot, a read-model row) impossible to forge.

Snapshots and read models are caches of what the events say, kept in the database beside the
log but not covered by its hash chain. Commands validate against aggregate snapshots and
exports read the read models, so an insider who edited one (``in_siu = true`` in a snapshot, a
multiplied ``minutes``) could let forbidden events into the chained log or change the numbers
while ``verify`` stayed clean. Every cache row therefore carries a MAC (keyed BLAKE2b, 128
bits) under a key **kept outside the database**, and is checked before it is used; a row that
fails is reported and never used (the aggregate is replayed from its events, a read model
rebuilt).

The key:

* an encrypted store derives it from the store key (``CASELEDGER_KEY``/``_FILE``), so whoever
  may read the store already holds it;
* a plain store reads it from ``$CASELEDGER_CACHE_KEY_FILE``, else from ``cache-key`` in the
  user config directory, created (0600, 256 random bits) on first use. Every process that
  writes or reads a store's caches needs the same key file: share it like the store itself.

The store records the key's fingerprint (``cl_store_key``, beside the store key's); a process
holding another cache key is refused when it opens the store — its MACs would call every
honest cache forged — unless it rebuilds every cache under its own key
(``caseledger rebuild --new-cache-key``).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
import platformdirs

from caseledger.domain.errors import StoreURLError

CACHE_KEY_FILE_ENV = "CASELEDGER_CACHE_KEY_FILE"
MAC_SIZE = 16
_encoder = msgspec.msgpack.Encoder()


def default_cache_key_file() -> Path:
    return Path(platformdirs.user_config_dir("caseledger")) / "cache-key"


def cache_key(store_key: str | None) -> bytes:
    """The cache key for a store encrypted with ``store_key`` (base64), or for a plain store."""
    if store_key:
        return hashlib.blake2b(base64.b64decode(store_key), key=b"caseledger cache key", digest_size=32).digest()
    configured = os.environ.get(CACHE_KEY_FILE_ENV)
    path = Path(configured) if configured else default_cache_key_file()
    if not path.exists() and not configured:
        _create_key_file(path)
    try:
        key = base64.b64decode(path.read_text().strip(), validate=True)
    except OSError as error:
        raise StoreURLError(f"{CACHE_KEY_FILE_ENV} {path}: {error.strerror}") from None
    except ValueError:
        raise StoreURLError(f"{path}: not a cache key (base64 of 32 random bytes)") from None
    if len(key) < 16:
        raise StoreURLError(f"{path}: a cache key must hold at least 16 bytes")
    return key


def _create_key_file(path: Path) -> None:
    """Write a new random key to ``path`` (0600), whole or not at all: written aside, then linked
    into place, so a process starting at the same moment reads either no file or the whole key
    (and the second of two creators keeps the first's)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(aside, path)
    finally:
        aside.unlink()


class CacheSeal:
    """MACs for cache rows under the cache key."""

    def __init__(self, key: bytes) -> None:
        self._key = key[:64]
        self.fingerprint = "cache " + hashlib.blake2b(self._key, key=b"caseledger cache key fingerprint", digest_size=16).hexdigest()

    def mac(self, label: str, parts: Any) -> bytes:
        """The MAC of ``parts`` (anything msgpack encodes: the row's columns) under ``label``
        (the cache it belongs to, so a row cannot be moved between caches)."""
        return hashlib.blake2b(_encoder.encode((label, parts)), key=self._key, digest_size=MAC_SIZE).digest()

    def derived(self, purpose: str) -> bytes:
        """A key for ``purpose`` derived from the cache key (e.g. the pseudonyms of exports), so it
        too lives outside the database."""
        return hashlib.blake2b(purpose.encode(), key=self._key, digest_size=32).digest()

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
        return mac is not None and secrets.compare_digest(bytes(mac), self.mac(label, parts))
