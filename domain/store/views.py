"""The two :class:`~caseledger.domain.model.validation.LedgerView` implementations.

* :class:`StoreView` reads each aggregate from the store when asked (commands: always fresh,
  so a retried command sees the winner's event).
* :class:`WorkingSetView` is the importer's: it remembers every aggregate it has read or
  created, so a million lines validate against memory, and the store is asked only about ids
  the import has not seen yet (never, when the store was empty at the start).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from weakref import WeakKeyDictionary

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import MapperDeserialisationError

from caseledger.domain.model.access import UNREADABLE_AT, LoggedEntry
from caseledger.domain.model.aggregates import (
    RETRACTION_LOG_KEY,
    LedgerAggregate,
    OffenderCase,
    Officer,
    RetractionLog,
    Site,
    User,
    entity_id,
)
from caseledger.domain.store.application import LedgerApplication
from caseledger.domain.store.backend import AttributedEvent
from caseledger.domain.store.log import logged

A = TypeVar("A", bound=LedgerAggregate)

_FIRST_USERS: WeakKeyDictionary[LedgerApplication, frozenset[str]] = WeakKeyDictionary()
"""Each open store's first users, once it has a first event (which never changes): a command
asks on every recording, and on PostgreSQL every extra read transaction costs the connection
its prepared statements (measured: 1.4 ms a command with the first users kept here, 2.4 ms reading them each time)."""


class StoreView:
    """Validation state read from the store through the application's repository."""

    def __init__(self, app: LedgerApplication, read_position: Callable[[int], AttributedEvent | None] | None = None) -> None:
        self.app = app
        self._read_position = read_position or self._read_committed_position

    def _get(self, cls: type[A], key: str) -> A | None:
        try:
            aggregate: object = self.app.repository.get(entity_id(cls.KIND, key))
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, cls) else None

    def site(self, key: str) -> Site | None:
        return self._get(Site, key)

    def officer(self, key: str) -> Officer | None:
        return self._get(Officer, key)

    def offender(self, key: str) -> OffenderCase | None:
        return self._get(OffenderCase, key)

    def retraction_log(self) -> RetractionLog | None:
        return self._get(RetractionLog, RETRACTION_LOG_KEY)

    def user(self, key: str) -> User | None:
        return self._get(User, key)

    def _read_committed_position(self, position: int) -> AttributedEvent | None:
        found = self.app.ledger_recorder.events_at([position])
        return found[0] if found else None

    def entry_at(self, position: int) -> LoggedEntry | None:
        found = self._read_position(position)
        return None if found is None else logged_entry(self.app, found)

    def first_users(self) -> frozenset[str] | None:
        known = _FIRST_USERS.get(self.app)
        if known is not None:
            return known
        recorder = self.app.ledger_recorder
        first = recorder.attributed_after(0, 1)
        if not first:  # empty: whoever records first is its first user — where the store proves no login
            return None if recorder.login is None or recorder.owner is None else frozenset({recorder.owner})
        known = _FIRST_USERS[self.app] = frozenset(name for name in (recorder.owner, self._recorder_of(first[0])) if name)
        return known

    def _recorder_of(self, event: AttributedEvent) -> str | None:
        """Who recorded ``event``: the login the store recorded (PostgreSQL), else the name in its
        state — which a process without an encrypted store's key cannot read (it verifies, signs
        a checkpoint or reads the status): then None, and only the store's owner is its first user."""
        if event.login is not None:
            return event.login
        try:
            return logged(self.app, event).envelope.recorded_by
        except MapperDeserialisationError:
            if self.app.ledger_mapper.cipher is None:
                return None
            raise


def logged_entry(app: LedgerApplication, event: AttributedEvent) -> LoggedEntry:
    """What a retraction rule needs of ``event``. One whose state does not decode (written around
    the program; the read side quarantines it) is known by its type and the login the store
    recorded, and is unreadable: an admin may still retract it."""
    try:
        envelope = logged(app, event).envelope
    except MapperDeserialisationError:
        return LoggedEntry(None, event.login or "", UNREADABLE_AT, event.stored.topic, readable=False)
    return LoggedEntry(envelope.at_site, envelope.recorded_by, envelope.recorded_at, type(envelope.data).__name__)


class WorkingSetView(StoreView):
    """A :class:`StoreView` that keeps every aggregate it reads or is given, for imports.

    Keyed by class and human id (string hashes are cached by Python; UUID hashes are not).
    """

    def __init__(
        self,
        app: LedgerApplication,
        read_position: Callable[[int], AttributedEvent | None],
        *,
        store_was_empty: bool,
    ) -> None:
        super().__init__(app, read_position)
        self.store_was_empty = store_was_empty
        self._known: dict[type[LedgerAggregate], dict[str, LedgerAggregate | None]] = {cls: {} for cls in (Site, Officer, OffenderCase, RetractionLog, User)}

    def _get(self, cls: type[A], key: str) -> A | None:
        known = self._known[cls]
        try:
            found = known[key]
        except KeyError:
            aggregate = None if self.store_was_empty else super()._get(cls, key)
            known[key] = aggregate
            return aggregate
        return found if isinstance(found, cls) else None

    def remember(self, aggregate: LedgerAggregate) -> None:
        """Keep an aggregate the import created or changed (add-on tasks are never looked up again)."""
        known = self._known.get(type(aggregate))
        if known is not None:
            known[aggregate.key] = aggregate
