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

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import StoredEvent

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

A = TypeVar("A", bound=LedgerAggregate)


class StoreView:
    """Validation state read from the store through the application's repository."""

    def __init__(self, app: LedgerApplication, read_position: Callable[[int], StoredEvent | None] | None = None) -> None:
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

    def _read_committed_position(self, position: int) -> StoredEvent | None:
        found = self.app.recorder.select_notifications(start=position, limit=1)
        return found[0] if found and found[0].id == position else None

    def site_of_position(self, position: int) -> tuple[bool, str | None]:
        stored = self._read_position(position)
        if stored is None:
            return False, None
        return True, self.app.ledger_mapper.read_envelope(stored).at_site


class WorkingSetView(StoreView):
    """A :class:`StoreView` that keeps every aggregate it reads or is given, for imports.

    Keyed by class and human id (string hashes are cached by Python; UUID hashes are not).
    """

    def __init__(
        self,
        app: LedgerApplication,
        read_position: Callable[[int], StoredEvent | None],
        *,
        store_was_empty: bool,
    ) -> None:
        super().__init__(app, read_position)
        self.store_was_empty = store_was_empty
        self._known: dict[type[LedgerAggregate], dict[str, LedgerAggregate | None]] = {cls: {} for cls in (Site, Officer, OffenderCase, RetractionLog)}

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
