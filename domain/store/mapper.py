"""The stored event format, and the msgspec mapper that writes and reads it.

Stored format (version 1), fixed from day one because stored bytes are forever:

* ``topic`` column: the event's interchange type name, e.g. ``"OffenderAdmitted"`` — not a
  Python module path, so code can move without upcasting the log.
* ``state`` column: compact JSON (msgspec) of :class:`StoredEnvelope`::

    {"recorded_at": "2026-11-22T07:16:56.123456Z", "occurred_at": "2026-03-02T00:00:00-05:00",
     "recorded_by": "po.tremblay", "at_site": "KP", "note": "…", "data": {…the event's fields…}}

  ``note``/``at_site``/``entered_by`` (who made an imported entry elsewhere) are omitted when empty; ``v`` (format version) is omitted while it is 1.
  ``data`` is the payload Struct of :mod:`caseledger.domain.events.catalogue` (dates as ``YYYY-MM-DD``).
  Then the library's optional compressor and cipher apply, as in its own Mapper — except to the
  access events (:data:`STORED_PLAIN`), which an encrypted store keeps unencrypted.
* ``originator_id``/``originator_version``: the aggregate (see :mod:`caseledger.domain.model.aggregates`).

The library's JSONTranscoder is not used: its ``_type_`` envelopes are larger and several times
slower to decode, and its format cannot be read back into typed Structs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Generic, TypeVar, cast
from uuid import UUID

import msgspec
from eventsourcing.domain import DomainEventProtocol, Snapshot
from eventsourcing.persistence import Cipher, Compressor, Mapper, MapperDeserialisationError, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, resolve_topic

from caseledger.domain.events.catalogue import PAYLOAD_TYPES, Payload, RoleGranted, RoleRevoked, UserLinked
from caseledger.domain.model.aggregates import AGGREGATE_CLASSES, AGGREGATE_FOR_TYPE, LedgerAggregate

P = TypeVar("P", bound=Payload)

FORMAT_VERSION = 1


class StoredEnvelope(msgspec.Struct, Generic[P], kw_only=True, omit_defaults=True):
    """One stored event's state: when, who, where, and the event's own fields."""

    recorded_at: dt.datetime
    occurred_at: dt.datetime
    recorded_by: str
    data: P
    at_site: str | None = None
    note: str | None = None
    entered_by: str | None = None
    v: int = FORMAT_VERSION


_encoder = msgspec.json.Encoder()

STORED_PLAIN = frozenset(kind.__name__ for kind in (UserLinked, RoleGranted, RoleRevoked))
"""The access events — who holds which role (a supervisor's with its site), which officer a login
is — are stored unencrypted in an encrypted store, so the permission check of ``verify``,
``checkpoint`` and ``status`` reads them without the store key (docs/security.md, "Encryption at
rest"). They name logins, officers and sites, never an offender or a case. The hash chain covers
them as it covers every event; on PostgreSQL only an admin login may insert them (the identity
trigger, :mod:`caseledger.domain.store.roles`). An access event an older release stored
encrypted is still read with the key."""

SNAPSHOT_TOPIC_PREFIX = "snapshot:"
"""Snapshot topics are ``snapshot:`` + the aggregate's class name, e.g. ``snapshot:OffenderCase``,
so moving a module never strands a stored snapshot. Snapshots are a cache of state derived from
the events, kept in the snapshots table with a MAC (:mod:`caseledger.domain.store.snapshots`);
the hash chain covers the events only. A snapshot of store format 1, unsealed (its topic may
name a module, ``snapshot:domain.aggregates:OffenderCase``), is discarded when the store is
brought to the current format (:mod:`caseledger.domain.store.migrations`)."""


class SnapshotEnvelope(msgspec.Struct, kw_only=True):
    """A stored snapshot: when it was taken and the aggregate's attributes."""

    taken_at: dt.datetime
    state: dict[str, Any]


@cache
def envelope_decoder(topic: str) -> msgspec.json.Decoder[StoredEnvelope[Any]]:
    """A typed decoder for stored events of ``topic`` (cached: building one costs microseconds)."""
    try:
        payload_type = PAYLOAD_TYPES[topic]
    except KeyError:
        raise MapperDeserialisationError(f"unknown stored topic {topic!r}") from None
    envelope_type: Any = StoredEnvelope
    return msgspec.json.Decoder(envelope_type[payload_type])  # parametrised at run time, per topic


def encode_envelope(envelope: StoredEnvelope[Any]) -> bytes:
    """The stored bytes of an envelope (before compression or encryption)."""
    return _encoder.encode(envelope)


def decode_envelope(topic: str, state: bytes) -> StoredEnvelope[Any]:
    """Read stored bytes (already decrypted and decompressed) of an event of ``topic``."""
    return envelope_decoder(topic).decode(state)


@dataclass(frozen=True)
class MappedEvent(StoredEvent):
    """A stored event fresh from the mapper, with the envelope it was sealed from: the recorder
    hashes its Merkle leaf (:mod:`caseledger.domain.store.tree`) without decrypting it again."""

    envelope: StoredEnvelope[Any] | None = field(default=None, compare=False, repr=False)


class _NoTranscoder(Transcoder):
    """The library's Mapper wants a transcoder; msgspec does that stage here, so this one is never used."""

    def encode(self, obj: Any) -> bytes:
        raise NotImplementedError("LedgerMapper encodes with msgspec")

    def decode(self, data: bytes) -> Any:
        raise NotImplementedError("LedgerMapper decodes with msgspec")


class LedgerMapper(Mapper[UUID]):
    """Maps :class:`LedgerAggregate` events to :class:`StoredEvent` and back, with msgspec.

    msgspec replaces the library's transcoder stage entirely; compression and encryption work
    as in the library's own Mapper.
    """

    def __init__(self, compressor: Compressor | None = None, cipher: Cipher | None = None) -> None:
        super().__init__(transcoder=_NoTranscoder(), compressor=compressor, cipher=cipher)

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        if isinstance(domain_event, Snapshot):
            state = _encoder.encode(SnapshotEnvelope(taken_at=domain_event.timestamp, state=domain_event.state))
            return StoredEvent(
                domain_event.originator_id,
                domain_event.originator_version,
                SNAPSHOT_TOPIC_PREFIX + resolve_topic(domain_event.topic).__name__,
                self.seal(state),
            )
        event = cast("LedgerAggregate.Event", domain_event)  # every non-snapshot event of the ledger is one
        envelope = StoredEnvelope(
            recorded_at=event.timestamp,
            occurred_at=event.occurred_at,
            recorded_by=event.recorded_by,
            entered_by=event.entered_by,
            data=event.data,
            at_site=event.at_site,
            note=event.note,
        )
        return MappedEvent(
            originator_id=event.originator_id,
            originator_version=event.originator_version,
            topic=type(event.data).__name__,
            state=self.seal(encode_envelope(envelope), type(event.data).__name__),
            envelope=envelope,
        )

    def seal(self, state: bytes, topic: str | None = None) -> bytes:
        """Apply the configured compressor and cipher to the stored bytes of an event of ``topic``
        (None: a snapshot), but not to an access event's (:data:`STORED_PLAIN`)."""
        if topic in STORED_PLAIN:
            return state
        if self.compressor:
            state = self.compressor.compress(state)
        if self.cipher:
            state = self.cipher.encrypt(state)
        return state

    def unseal(self, state: bytes, topic: str | None = None) -> bytes:
        """Undo :meth:`seal`. An access event is plain unless an older release sealed it: AES-GCM
        authenticates, so plain bytes never decrypt (and only these topics may be plain: any
        other event that does not decrypt is refused, as before)."""
        if topic in STORED_PLAIN:
            try:
                return self._unsealed(state)
            except ValueError:  # not sealed: stored plain
                return state
        return self._unsealed(state)

    def _unsealed(self, state: bytes) -> bytes:
        if self.cipher:
            state = self.cipher.decrypt(state)
        if self.compressor:
            state = self.compressor.decompress(state)
        return state

    def read_envelope(self, stored_event: StoredEvent) -> StoredEnvelope[Any]:
        """Decode a stored event's state without building a domain event (fast path for scans)."""
        try:
            return decode_envelope(stored_event.topic, self.unseal(stored_event.state, stored_event.topic))
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as error:
            hint = "" if self.cipher else " (an encrypted store? set CASELEDGER_KEY or CASELEDGER_KEY_FILE)"
            raise MapperDeserialisationError(
                f"cannot read stored event {stored_event.originator_id} v{stored_event.originator_version} ({stored_event.topic}): {error}{hint}"
            ) from error

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        if stored_event.topic.startswith(SNAPSHOT_TOPIC_PREFIX):
            return self._snapshot(stored_event)
        envelope = self.read_envelope(stored_event)
        aggregate_class = AGGREGATE_FOR_TYPE[type(envelope.data)]
        state: dict[str, Any] = {
            "originator_id": stored_event.originator_id,
            "originator_version": stored_event.originator_version,
            "timestamp": envelope.recorded_at,
            "occurred_at": envelope.occurred_at,
            "recorded_by": envelope.recorded_by,
            "entered_by": envelope.entered_by,
            "at_site": envelope.at_site,
            "note": envelope.note,
            "data": envelope.data,
        }
        if stored_event.originator_version == aggregate_class.INITIAL_VERSION:
            event_class: type[LedgerAggregate.Event] = aggregate_class.Created
            state["originator_topic"] = get_topic(aggregate_class)
        else:
            event_class = aggregate_class.Event
        event = object.__new__(event_class)
        object.__setattr__(event, "__dict__", state)
        return event

    def _snapshot(self, stored_event: StoredEvent) -> Snapshot:
        name = stored_event.topic.removeprefix(SNAPSHOT_TOPIC_PREFIX)
        envelope = msgspec.json.decode(self.unseal(stored_event.state), type=SnapshotEnvelope)
        aggregate_class = AGGREGATE_CLASSES[name]
        snapshot = object.__new__(Snapshot)
        object.__setattr__(
            snapshot,
            "__dict__",
            {
                "originator_id": stored_event.originator_id,
                "originator_version": stored_event.originator_version,
                "timestamp": envelope.taken_at,
                "topic": get_topic(aggregate_class),
                "state": aggregate_class.restore_state(envelope.state),
            },
        )
        return snapshot
