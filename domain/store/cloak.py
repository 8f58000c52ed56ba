"""Encryption of everything the read side keeps, when the store is encrypted.

Events and aggregate snapshots are encrypted by the mapper (AES-GCM under the store key). The
read models, world snapshots and head rows, kept beside them, hold offender ids, officer and
site names, reasons and addresses, so in an encrypted store they are cloaked too:

* **names** — the columns the read side looks rows up by or groups on (offender, officer, site) —
  with AES-SIV (RFC 5297), deterministic, so ``WHERE officer = ?`` still finds a row when ``?``
  is cloaked the same way; it reveals which rows share a value, never the value;
* **blobs** — an event's fields, a world, a case record — with AES-GCM (the library's cipher),
  a fresh nonce each time.

Both keys derive from the store key (:mod:`caseledger.domain.secrets.derive`), so whoever may read the store can read its read models, and
nobody else. In a plain store nothing is cloaked. What stays plain in an encrypted store (not
identifying): event types, times and dates, ISO weeks, add-on categories and minutes, roles,
caseload factor counts, log positions, MACs and seals — and the access events, which the
permission check reads without the key (:data:`caseledger.domain.store.mapper.STORED_PLAIN`).
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from eventsourcing.persistence import Cipher

from caseledger.domain.secrets.derive import READ_MODEL_NAMES, derive


class Cloak:
    """Cloaking and uncloaking of read-side values (a no-op for a plain store)."""

    def __init__(self, store_key: str | None, cipher: Cipher | None) -> None:
        self.on = bool(store_key) and cipher is not None
        self._cipher = cipher
        self._siv = AESSIV(derive(base64.b64decode(store_key), READ_MODEL_NAMES)) if store_key else None
        self._names: dict[str, str] = {}
        self._values: dict[str, str] = {}

    def name(self, value: str | None) -> str | None:
        """``value`` cloaked deterministically (None stays None); remembered, since names repeat."""
        if value is None or self._siv is None:
            return value
        found = self._names.get(value)
        if found is None:
            found = base64.urlsafe_b64encode(self._siv.encrypt(value.encode(), None)).decode()
            self._names[value], self._values[found] = found, value
        return found

    def unname(self, cloaked: str | None) -> str | None:
        if cloaked is None or self._siv is None:
            return cloaked
        found = self._values.get(cloaked)
        if found is None:
            found = self._siv.decrypt(base64.urlsafe_b64decode(cloaked), None).decode()
            self._names[found], self._values[cloaked] = cloaked, found
        return found

    def blob(self, data: bytes) -> bytes:
        return self._cipher.encrypt(data) if self.on and self._cipher is not None else data

    def unblob(self, data: bytes) -> bytes:
        return self._cipher.decrypt(data) if self.on and self._cipher is not None else data
