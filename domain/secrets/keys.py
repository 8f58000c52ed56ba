"""The keys caseledger holds outside the database: the store key, the cache key, the pseudonym
key, the checkpoint signing key.

* The **store key** (``CASELEDGER_KEY``, or the file ``CASELEDGER_KEY_FILE`` names) encrypts an
  encrypted store's events and snapshots (AES-GCM, the library's cipher); the read side's keys
  derive from it (:mod:`.derive`). The store records its fingerprint, so a process holding
  another key is refused before it writes (:mod:`caseledger.domain.store.keys`).
* The **cache key** keys the MACs on every cache (:mod:`.mac`). An encrypted store derives it
  from the store key, so whoever may read the store already holds it; a plain store reads it from
  ``CASELEDGER_CACHE_KEY_FILE``, else from ``cache-key`` in the user config folder, created on
  first use (256 random bits). Every process that writes or reads a store's caches needs the same
  key: share the file like the store itself.
* The **pseudonym key** keys the pseudonyms that stand for offender ids in de-identified exports
  (:mod:`caseledger.projections.output.privacy`). It derives from no other key: every reader holds
  the cache key (to check the caches' MACs) and an encrypted store's readers the store key, and a
  key derived from either would let any of them recompute every pseudonym from a list of offender
  ids. Only the process that computes pseudonyms reads it — on PostgreSQL the projector (or the
  store's owner), on SQLite whoever catches the read models up — from
  ``CASELEDGER_PSEUDONYM_KEY_FILE``, else from ``pseudonym-key`` in the user config folder,
  created on first use (256 random bits). The store records its fingerprint
  (:mod:`caseledger.domain.store.keys`), so a process holding another one is refused.
* The **checkpoint signing key** (Ed25519) signs checkpoints of the chain head
  (:mod:`caseledger.domain.integrity.checkpoint`); created on first use.

Key files caseledger creates are created one way (:mod:`.files`). Which variable means what:
:mod:`caseledger.domain.settings`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from caseledger.domain.errors import DomainError, LedgerError, StoreURLError
from caseledger.domain.inputs import SMALL_FILE_CAP, read_regular
from caseledger.domain.secrets.derive import CACHE_KEY, MAX_KEY, PSEUDONYM_KEY_FINGERPRINT, derive
from caseledger.domain.secrets.files import create_key_file
from caseledger.domain.settings import Settings

PSEUDONYM_KEY_VARIABLE = "CASELEDGER_PSEUDONYM_KEY_FILE"
PLAIN = "not encrypted"
"""The fingerprint of no store key: the store is not encrypted."""


class KeyFileError(LedgerError):
    """A key file does not hold the key it should."""


def store_key() -> str | None:
    """The store key (base64 of an AES key, as ``eventsourcing.cryptography.AESCipher.create_key``
    makes it): ``CASELEDGER_KEY``, else the contents of ``CASELEDGER_KEY_FILE``; None without either."""
    settings = Settings.current()
    key = settings.key
    if not key and settings.key_file:
        try:
            key = read_regular(settings.key_file, "CASELEDGER_KEY_FILE", SMALL_FILE_CAP).decode(errors="replace").strip()
        except DomainError as error:
            raise StoreURLError(f"CASELEDGER_KEY_FILE {settings.key_file}: {error.rule}") from None
    if not key:
        return None
    try:
        if len(base64.b64decode(key, validate=True)) not in (16, 24, 32):
            raise ValueError
    except (ValueError, binascii.Error):
        source = "CASELEDGER_KEY_FILE" if settings.key_file and not settings.key else "CASELEDGER_KEY"
        raise StoreURLError(f"{source}: not an AES key (base64 of 16, 24 or 32 bytes, as AESCipher.create_key makes it)") from None
    return key


def store_key_fingerprint(key: str | None) -> str:
    """The fingerprint of a base64 store key, or :data:`PLAIN` without one: SHA-256 over a fixed
    label and the key, which identifies the key without weakening it (a key is 128–256 random bits)."""
    if not key:
        return PLAIN
    return "sha256:" + hashlib.sha256(b"caseledger store key\0" + base64.b64decode(key)).hexdigest()[:32]


def cache_key(store_key: str | None) -> bytes:
    """The cache key for a store encrypted with ``store_key`` (base64), or for a plain store
    (its file created on first use)."""
    settings = Settings.current()
    path = settings.cache_key_file or settings.default_cache_key_file
    if not store_key and settings.cache_key_file is None and not path.exists():
        create_key_file(path, base64.b64encode(secrets.token_bytes(32)) + b"\n")
    key = existing_cache_key(store_key)
    assert key is not None, "created above"
    return key


def existing_cache_key(store_key: str | None) -> bytes | None:
    """The cache key, if this process holds one — derived from ``store_key``, else read from its
    file — creating nothing (a process that only verifies must not make a key of its own)."""
    if store_key:
        return derive(base64.b64decode(store_key), CACHE_KEY)
    settings = Settings.current()
    path = settings.cache_key_file or settings.default_cache_key_file
    if settings.cache_key_file is None and not path.exists():
        return None
    return _random_key(path, "CASELEDGER_CACHE_KEY_FILE", "a cache key")


def pseudonym_key_file() -> tuple[Path, bool]:
    """Where this process's pseudonym key is, and whether it is there yet (the default file is
    created when first needed: :func:`pseudonym_key`)."""
    settings = Settings.current()
    path = settings.pseudonym_key_file or settings.default_pseudonym_key_file
    return path, path.exists()


def pseudonym_key() -> bytes:
    """The pseudonym key (see the module), its default file created on first use."""
    path, present = pseudonym_key_file()
    if Settings.current().pseudonym_key_file is None and not present:
        create_key_file(path, base64.b64encode(secrets.token_bytes(32)) + b"\n")
    return _random_key(path, PSEUDONYM_KEY_VARIABLE, "a pseudonym key")


def pseudonym_key_fingerprint(key: bytes) -> str:
    """The pseudonym key's fingerprint, as the store records it (it identifies the key and opens nothing)."""
    return "pseudonyms " + derive(key[:MAX_KEY], PSEUDONYM_KEY_FINGERPRINT).hex()


def _random_key(path: Path, variable: str, what: str) -> bytes:
    """The key in the file at ``path`` (base64 of at least 16 random bytes); refused in one line naming ``variable``."""
    try:
        key = base64.b64decode(read_regular(path, variable, SMALL_FILE_CAP).strip(), validate=True)
    except DomainError as error:
        raise StoreURLError(f"{variable} {path}: {error.rule}") from None
    except ValueError:
        raise StoreURLError(f"{path}: not {what} (base64 of 32 random bytes)") from None
    if len(key) < 16:
        raise StoreURLError(f"{path}: {what} must hold at least 16 bytes")
    return key


def signing_key(path: Path) -> Ed25519PrivateKey:
    """The checkpoint signing key in the PEM file at ``path``, created if there is none."""
    if not path.exists():
        new = Ed25519PrivateKey.generate()
        create_key_file(path, new.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    try:
        key = serialization.load_pem_private_key(read_regular(path, "--key", SMALL_FILE_CAP), password=None)
    except DomainError as error:
        raise KeyFileError(f"{path}: {error.rule}") from None
    except (ValueError, TypeError) as error:
        raise KeyFileError(f"{path}: not an Ed25519 private key: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: not an Ed25519 private key")
    return key
