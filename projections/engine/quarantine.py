"""Quarantine on read: the read side applies only events the program would have recorded.

Whoever can write to the database around the program (an officer login with ``psql`` on
PostgreSQL, anyone with the SQLite file) can append an event the program would refuse: a
payload that does not decode (``"minutes": "lots"``), an event the rules refuse (an unknown
officer, a second registration), one the permission table refuses its *proven* recorder (an
officer retracting the admin's ``SiteRegistered``), or one with no chain row at all. Before
applying an event, the projector asks a :class:`Judge`, which checks, in log order:

1. a chain row exists at its position (the lead's chain check verifies the rows that exist);
2. its state decrypts and decodes to its type's schema;
3. the validation rules (:func:`caseledger.domain.model.validation.locate`, the rules the command
   path and the importer run; the identifier check is for new entries only), its note's length,
   its ``occurred_at`` not in the future of its ``recorded_at``, and that it happened where the
   rules place it (``at_site``);
4. the permission table (:func:`caseledger.domain.model.access.authorize`) for its proven recorder:
   the login the store recorded (PostgreSQL's ``recorded_by`` column), else the name in its state
   (SQLite), with the roles that login held *at that position*. A recorder the ledger has never
   heard of (no ``UserLinked`` or role event, not a first user) is not checked: a store moved with
   ``import --keep-recorded`` (an admin's act) keeps recorders the new store knows nothing about
   (docs/security.md, residual risks).

An event that fails is quarantined — never applied to any read model, remembered in the sealed
table ``cl_quarantine`` (:class:`caseledger.projections.readmodels.tables.QuarantineModel`) — and
the projector goes on. Everything after it is judged as if it had never been written, which is
what the program's own state would have been.

**State as of a position.** The judge keeps the aggregates validation reads (sites, officers,
offenders, users, the retraction log — add-on tasks are never looked up again) in memory, as the
importer's working set does, applying each accepted event itself. It starts at the position the
catch-up starts from: from 0 (a rebuild) it knows everything it needs; from P > 0 (a catch-up in
a fresh process) an aggregate it has not seen is read from the log once, applying only its events
at or before P that are not quarantined (:class:`AsOf`). A retraction's target is read from the
log by position (retractions are rare).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec
from eventsourcing.persistence import MapperDeserialisationError

from caseledger.domain.errors import AccessRefused, DomainError
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.access import Actor, LoggedEntry, authorize
from caseledger.domain.model.aggregates import (
    AddOnTask,
    LedgerAggregate,
    OffenderCase,
    Officer,
    RetractionLog,
    Site,
    User,
    entity_id,
)
from caseledger.domain.model.recording import NOTE_LIMIT, actor_of
from caseledger.domain.model.times import check_not_future
from caseledger.domain.model.validation import locate
from caseledger.domain.store.application import LedgerApplication
from caseledger.domain.store.mapper import StoredEnvelope, decode_envelope
from caseledger.domain.store.views import StoreView, logged_entry

A = TypeVar("A", bound=LedgerAggregate)

KEPT = (Site, Officer, OffenderCase, RetractionLog, User)
"""The aggregates validation looks up again (add-on tasks never are)."""

NO_CHAIN_ROW = "no chain row: written outside the ledger"


@dataclass(frozen=True, slots=True)
class Quarantined:
    """An event the read side does not apply: where, what, who (the proven recorder) and why."""

    position: int
    type: str
    author: str
    reason: str


class AsOf:
    """The aggregates as the log stood at ``position``, without the events quarantined by then:
    read from the log when first asked (a catch-up in a fresh process), None from 0 (a rebuild
    knows every aggregate it meets)."""

    def __init__(self, app: LedgerApplication, position: int, quarantined: Callable[[], Collection[int]]) -> None:
        self.app, self.position, self._quarantined = app, position, quarantined
        self._skipped: Collection[int] | None = None

    def load(self, cls: type[A], key: str) -> A | None:
        if self.position == 0:
            return None
        if self._skipped is None:
            self._skipped = set(self._quarantined())
        aggregate: A | None = None
        for event in self.app.ledger_recorder.aggregate_events(entity_id(cls.KIND, key)):
            if event.position > self.position:
                break
            if event.position in self._skipped:
                continue
            data = self.app.ledger_mapper.read_envelope(event.stored).data
            aggregate = _applied(cls, aggregate, event.stored.originator_id, data)
        return aggregate


def _applied(cls: type[A], aggregate: A | None, aggregate_id: Any, data: p.Payload) -> A:
    """``aggregate`` (a new one of ``cls`` if None) with ``data`` applied to its state."""
    if aggregate is None:
        aggregate = cls.__new__(cls)
        aggregate.__base_init__(aggregate_id, cls.INITIAL_VERSION, dt.datetime.min.replace(tzinfo=dt.UTC))
        cls.__init__(aggregate)
    aggregate.when(data)
    return aggregate


class JudgeView(StoreView):
    """The :class:`~caseledger.domain.model.validation.LedgerView` the judge validates against: its
    working set, the log as of its start for what it has not met, targets by position up to
    the event being judged."""

    def __init__(self, app: LedgerApplication, as_of: AsOf) -> None:
        super().__init__(app)
        self.as_of = as_of
        self.before = as_of.position + 1
        """Positions below this one are in the log as the judged event sees it."""
        self._known: dict[type[LedgerAggregate], dict[str, LedgerAggregate | None]] = {cls: {} for cls in KEPT}

    def _get(self, cls: type[A], key: str) -> A | None:
        known = self._known[cls]
        if key not in known:
            known[key] = self.as_of.load(cls, key)
        found = known[key]
        return found if isinstance(found, cls) else None

    def remember(self, aggregate: LedgerAggregate) -> None:
        known = self._known.get(type(aggregate))
        if known is not None:
            known[aggregate.key] = aggregate

    def entry_at(self, position: int) -> LoggedEntry | None:
        if position >= self.before:
            return None
        found = self.app.ledger_recorder.events_at([position])
        return logged_entry(self.app, found[0]) if found else None


class Judge:
    """Decides, event by event in log order, what the read side applies (see the module)."""

    def __init__(self, app: LedgerApplication, start: int, quarantined: Callable[[], Collection[int]]) -> None:
        self.app = app
        self.position = start
        """The last position judged: the state is the log's as of it."""
        self.view = JudgeView(app, AsOf(app, start, quarantined))
        self._actors: dict[str, Actor | None] = {}
        mapper = app.ledger_mapper
        self._unseal = mapper.unseal if (mapper.cipher or mapper.compressor) else None

    def judge(self, position: int, topic: str, state: bytes, login: str | None, *, chained: bool) -> StoredEnvelope[Any] | Quarantined:
        """The envelope of the event at ``position`` if the read side applies it, else why not."""
        self.position = self.view.before = position
        author = login or _named_recorder(state) or "unknown"
        if not chained:
            return Quarantined(position, topic, author, NO_CHAIN_ROW)
        try:
            envelope = decode_envelope(topic, self._unseal(state, topic) if self._unseal else state)
        except (msgspec.DecodeError, msgspec.ValidationError, MapperDeserialisationError, ValueError) as error:
            return Quarantined(position, topic, author, f"does not decode: {error}")
        author = login or envelope.recorded_by
        try:
            self._accept(envelope, author)
        except DomainError as error:
            return Quarantined(position, topic, author, f"{error.field}: {error.rule}")
        except AccessRefused as error:
            return Quarantined(position, topic, author, f"not permitted: {error}")
        return envelope

    def _accept(self, envelope: StoredEnvelope[Any], author: str) -> None:
        """Refuse ``envelope`` as the program would have; else apply it to the working set."""
        data = envelope.data
        if envelope.note is not None and not 0 < len(envelope.note) <= NOTE_LIMIT:
            raise DomainError("note", f"a note is 1 to {NOTE_LIMIT} characters")
        placement = locate(self.view, data)
        if envelope.at_site != placement.at_site:
            raise DomainError("at_site", f"it says {envelope.at_site or 'no site'}; the ledger places it at {placement.at_site or 'no site'}")
        check_not_future(envelope.occurred_at, envelope.recorded_at)
        actor = self._actor(author)
        if actor is not None:
            authorize(actor, data, placement.at_site, case=placement.existing, target=placement.target, now=envelope.recorded_at)
        if placement.aggregate_class is not AddOnTask:
            self.view.remember(_applied(placement.aggregate_class, placement.existing, placement.aggregate_id, data))
        if isinstance(data, p.UserLinked | p.RoleGranted | p.RoleRevoked):
            self._actors.clear()

    def _actor(self, login: str) -> Actor | None:
        """``login`` with the roles they hold now; None for a recorder the ledger has never heard of."""
        try:
            return self._actors[login]
        except KeyError:
            actor = actor_of(self.view, login)
            known = actor.first_user or self.view.user(login) is not None
            self._actors[login] = actor if known else None
            return self._actors[login]


def _named_recorder(state: bytes) -> str | None:
    """The ``recorded_by`` a plain state names, if it is JSON that names one (for the listing of
    an event that does not decode)."""
    try:
        named = msgspec.json.decode(state)
    except (msgspec.DecodeError, UnicodeDecodeError):
        return None
    recorder = named.get("recorded_by") if isinstance(named, dict) else None
    return recorder if isinstance(recorder, str) else None

