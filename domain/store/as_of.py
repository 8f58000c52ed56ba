"""The ledger's state as it stood at a log position, for judging stored events in log order.

The read side judges each event it reads against the state the program would have seen when
recording it (:mod:`caseledger.projections.engine.quarantine`), without the events it refused.
From position 0 that state is built in memory as the events are judged (as the importer's
working set is); from a later position P, an aggregate not met yet is read from the log once,
applying only its events at or before P that were not quarantined, and then kept current by
whoever judges. Add-on tasks are never looked up again, so never kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from caseledger.domain.events import catalogue as p
from caseledger.domain.model.access import LoggedEntry
from caseledger.domain.model.aggregates import LedgerAggregate, OffenderCase, Officer, RetractionLog, Site, User, entity_id
from caseledger.domain.store.application import LedgerApplication
from caseledger.domain.store.views import StoreView, logged_entry

A = TypeVar("A", bound=LedgerAggregate)

KEPT = (Site, Officer, OffenderCase, RetractionLog, User)
"""The aggregates validation looks up again (add-on tasks never are)."""


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
            aggregate = applied(cls, aggregate, event.stored.originator_id, data)
        return aggregate


def applied(cls: type[A], aggregate: A | None, aggregate_id: Any, data: p.Payload) -> A:
    """``aggregate`` (a new one of ``cls`` if None) with ``data`` applied to its state."""
    if aggregate is None:
        aggregate = cls.__new__(cls)
        aggregate.__base_init__(aggregate_id, cls.INITIAL_VERSION, dt.datetime.min.replace(tzinfo=dt.UTC))
        cls.__init__(aggregate)
    aggregate.when(data)
    return aggregate


class AsOfView(StoreView):
    """A :class:`~caseledger.domain.model.validation.LedgerView` of the log as of a position that
    moves forward: a working set its owner keeps current (:meth:`remember`), the log as of its
    start for any aggregate it has not met (:class:`AsOf`), retraction targets by position up to
    :attr:`before`."""

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
