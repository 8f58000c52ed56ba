"""Quarantine on read: the read side applies only events the program would have recorded.

Whoever can write to the database around the program (an officer login with ``psql`` on
PostgreSQL, anyone with the SQLite file) can append an event the program would refuse: a
payload that does not decode (``"minutes": "lots"``), an event the rules refuse (an unknown
officer, a second registration), one the permission table refuses its *proven* recorder (an
officer retracting the admin's ``SiteRegistered``), or one with no chain row at all. Before
applying an event, the projector asks a :class:`Judge`, which checks, in log order:

1. a chain row exists at its position (the lead's chain check verifies the rows that exist);
2. its state decrypts and decodes to its type's schema;
3. the checks of the command path, against the ledger as of its position: the rules, and the
   permission table for its *proven* recorder — the login the store recorded (PostgreSQL's
   ``recorded_by`` column), else the name in its state (SQLite)
   (:class:`caseledger.domain.model.admission.Admission`).

An event that fails is quarantined — never applied to any read model, remembered in the sealed
table ``cl_quarantine`` (:class:`caseledger.projections.readmodels.tables.QuarantineModel`) — and
the projector goes on. Everything after it is judged as if it had never been written, which is
what the program's own state would have been.

**State as of a position.** The judge keeps the aggregates validation reads (sites, officers,
offenders, users, the retraction log — add-on tasks are never looked up again) in memory, as the
importer's working set does, applying each accepted event itself. It starts at the position the
catch-up starts from: from 0 (a rebuild) it knows everything it needs; from P > 0 (a catch-up in
a fresh process) an aggregate it has not seen is read from the log once, applying only its events
at or before P that are not quarantined (:mod:`caseledger.domain.store.as_of`). A retraction's target is read from the
log by position (retractions are rare).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import msgspec
from eventsourcing.persistence import MapperDeserialisationError

from caseledger.domain.errors import AccessRefused, DomainError
from caseledger.domain.model.admission import Admission
from caseledger.domain.model.aggregates import AddOnTask
from caseledger.domain.store.application import LedgerApplication
from caseledger.domain.store.as_of import AsOf, AsOfView, applied
from caseledger.domain.store.mapper import StoredEnvelope, decode_envelope

NO_CHAIN_ROW = "no chain row: written outside the ledger"


@dataclass(frozen=True, slots=True)
class Quarantined:
    """An event the read side does not apply: where, what, who (the proven recorder) and why."""

    position: int
    type: str
    author: str
    reason: str
    retracted: bool = False
    """An effective retraction names it (an admin's, with a reason): listed still, as retracted."""


class Judge:
    """Decides, event by event in log order, what the read side applies (see the module)."""

    def __init__(self, app: LedgerApplication, start: int, quarantined: Callable[[], Collection[int]]) -> None:
        self.app = app
        self.position = start
        """The last position judged: the state is the log's as of it."""
        self.view = AsOfView(app, AsOf(app, start, quarantined))
        self.admission = Admission(self.view)
        mapper = app.ledger_mapper
        self._unseal = mapper.unseal if (mapper.cipher or mapper.compressor) else None

    def judge(self, position: int, topic: str, state: bytes, login: str | None, *, chained: bool) -> StoredEnvelope[Any] | Quarantined:
        """The envelope of the event at ``position`` if the read side applies it, else why not."""
        self.position = self.view.before = position
        if not chained:
            return Quarantined(position, topic, login or _named_recorder(state), NO_CHAIN_ROW)
        try:
            envelope = decode_envelope(topic, self._unseal(state, topic) if self._unseal else state)
        except (msgspec.DecodeError, msgspec.ValidationError, MapperDeserialisationError, ValueError) as error:
            return Quarantined(position, topic, login or _named_recorder(state), f"does not decode: {error}")
        author = login or envelope.recorded_by
        try:
            self._accept(envelope, author)
        except DomainError as error:
            return Quarantined(position, topic, author, f"{error.field}: {error.rule}")
        except AccessRefused as error:
            return Quarantined(position, topic, author, str(error))  # "refused: " and the rule
        return envelope

    def _accept(self, envelope: StoredEnvelope[Any], recorder: str) -> None:
        """Refuse ``envelope`` as the program would have; else apply it to the working set."""
        data = envelope.data
        placement = self.admission.admit(
            data, at_site=envelope.at_site, note=envelope.note, occurred_at=envelope.occurred_at, recorded_at=envelope.recorded_at, recorder=recorder
        )
        if placement.aggregate_class is not AddOnTask:
            self.view.remember(applied(placement.aggregate_class, placement.existing, placement.aggregate_id, data))


def _named_recorder(state: bytes) -> str:
    """The ``recorded_by`` a plain state names, if it is JSON that names one, else ``unknown`` (for
    the listing of an event that does not decode, on a store that records no login)."""
    try:
        named = msgspec.json.decode(state)
    except (msgspec.DecodeError, UnicodeDecodeError):
        return "unknown"
    recorder = named.get("recorded_by") if isinstance(named, dict) else None
    return recorder if isinstance(recorder, str) else "unknown"
