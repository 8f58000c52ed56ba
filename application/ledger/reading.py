"""Reading: an officer's screens, a site's officers and staffing, a case's history and its state at a cut, the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from caseledger.application.casestate import CaseState, case_state, cut_of
from caseledger.application.entries import Entry, entry_of, event_at
from caseledger.application.events import LogPage, filtered_events, in_the_chain, log_page
from caseledger.application.exports import at_sites
from caseledger.application.history import HistoryLine, case_history
from caseledger.application.ledger.core import LedgerCore, serialised
from caseledger.application.ledger.requests import LogQuery, check_position
from caseledger.application.ledger.scopes import AuditScope, allowed, require_case_reader
from caseledger.application.officer import CaseRow, DueRow, WeekData, caseload, due, officer_for, week
from caseledger.domain.model.access import export_sites, require_officer_reader
from caseledger.domain.model.times import Cutoff
from caseledger.domain.store.log import LoggedEvent
from caseledger.domain.store.views import StoreView
from caseledger.projections.catalogue import OVERDUE_CARRIED
from caseledger.projections.engine.compute import compute, compute_together, find
from caseledger.projections.rules import load_rules
from caseledger.projections.screens.case import case_at
from caseledger.projections.screens.site import OFFICER_NOTES, site_officers

Rows = list[dict[str, Any]]


class Reading(LedgerCore):
    """The use cases that read."""

    @serialised
    def officer_for(self, user: str) -> str:
        """The officer whose screens open: the one ``user`` is linked to, else ``user`` if an
        officer, else the first parole officer (a supervisor's or an auditor's first look). Any
        login may ask: it names an officer, no case."""
        self.projector.catch_up()
        linked = self.seat.actor.officer if self.seat.viewer == user else None
        return linked or officer_for(self.projector, user)

    @serialised
    def zone_of(self, officer: str) -> str | None:
        """The time zone of ``officer``'s site (None: no such officer), whose local date is the
        record form's "today" (see :mod:`caseledger.domain.model.clock`). Any login may ask."""
        view = StoreView(self.app)
        record = view.officer(officer)
        site = view.site(record.site) if record is not None else None
        return site.timezone if site is not None else None

    def _officer_reader(self, officer: str) -> None:
        record = StoreView(self.app).officer(officer)
        require_officer_reader(self.seat.actor, officer, record.site if record else None)

    @serialised
    def week(self, officer: str) -> WeekData:
        """*My week*: ``officer``'s own, their site's supervisor's, an auditor's or an admin's to read."""
        self._officer_reader(officer)
        self.projector.catch_up()
        return self.projector.trusting(lambda: week(self.projector, self.rules, self.view(), officer))

    @serialised
    def due(self, officer: str) -> list[DueRow]:
        """*Due*: the open deadlines of ``officer``'s cases (read as :meth:`week`)."""
        self._officer_reader(officer)
        self.projector.catch_up()
        return self.projector.trusting(lambda: due(self.projector, self.rules, self.view(), officer))

    @serialised
    def caseload(self, officer: str) -> list[CaseRow]:
        """``officer``'s caseload (read as :meth:`week`)."""
        self._officer_reader(officer)
        self.projector.catch_up()
        return self.projector.trusting(lambda: caseload(self.projector, self.view(), officer))

    @serialised
    def officers(self) -> Rows:
        """Every officer's workload row now that this view may see (the Site screen: a supervisor's
        sites; every site for an auditor, an analyst or an admin), each with ``overdue``: how many
        deadlines of the cases they carry (own and covered, as their Due list) are overdue, and
        ``own_overdue``: of their own cases alone (a site's total counts each deadline once); and
        its notes (who covers them, where they moved from: :mod:`caseledger.projections.screens.site`)."""
        sites = export_sites(self.seat.actor, identified=False)
        if sites is None:  # every site: one replay of the world, its blocks counted
            rows, carried, notes = compute_together(self.app, [find("workload"), OVERDUE_CARRIED, OFFICER_NOTES], self.view(), self.rules, self.projector).rows
        else:  # a supervisor's sites: what they carry, from the head's rows
            self.projector.catch_up()
            rows, carried, notes = self.projector.trusting(lambda: site_officers(self.projector, self.rules, self.view(), frozenset(sites)))
        none = {"overdue": 0, "own_overdue": 0}
        overdue = {row["officer"]: {key: row[key] for key in none} for row in carried}
        noted = {row["officer"]: row for row in notes}
        rows = [{**row, **overdue.get(row["officer"], none), **noted.get(row["officer"], {})} for row in rows]
        return rows if sites is None else list(at_sites(rows, sites))

    @serialised
    def staffing(self) -> tuple[Rows, Rows]:
        """The staffing rows now under the current and the proposed rules, of the sites this view
        may see (the Site screen's staffing view)."""
        sites = export_sites(self.seat.actor, identified=False)
        view = self.view()
        current, proposed = (compute(self.app, find("staffing"), view, load_rules(name), self.projector).rows for name in ("current", "proposed"))
        if sites is None:
            return current, proposed
        return list(at_sites(current, sites)), list(at_sites(proposed, sites))

    @serialised
    def history(self, offender: str, *, as_of: Cutoff | None = None, known_at: Cutoff | None = None) -> list[HistoryLine]:
        """``offender``'s case in occurred order, retractions marked (:mod:`caseledger.application.history`):
        the case's officer's, its site's supervisor's, an auditor's or an admin's to read."""
        require_case_reader(self.app, self.seat.actor, offender)
        return case_history(self.app, offender, as_of=as_of, known_at=known_at)

    @serialised
    def case_state(self, offender: str, *, as_of: Cutoff | None = None, known_at: Cutoff | None = None) -> CaseState:
        """``offender``'s case as the ledger knew it at ``known_at`` (:mod:`caseledger.application.casestate`):
        whose it was, where the offender was, the release plan, the SIU stay, pending transfers,
        complexity factors and open deadlines at T — ``as_of``, else ``known_at``, else now —
        from the events recorded by ``known_at``. Read as :meth:`history`."""
        require_case_reader(self.app, self.seat.actor, offender)
        at = cut_of(as_of, known_at)
        lines = case_history(self.app, offender, as_of=at, known_at=known_at)
        self.projector.catch_up()
        view = self.view(at, known_at)
        case = self.projector.trusting(lambda: case_at(self.projector, self.rules, view, offender))
        return case_state(case, lines, at, known_at)

    @serialised
    def audit_page(self, query: LogQuery, after: int, limit: int) -> LogPage:
        """Up to ``limit`` events after position ``after`` that ``query`` keeps, of those this view
        may read (the Audit screen's page)."""
        scope = AuditScope(self.app, self.seat.actor)
        return log_page(self.app, query.event_filter(scope), after, limit)

    @serialised
    def events(self, query: LogQuery, *, after: int = 0) -> Iterator[LoggedEvent]:
        """The raw log after position ``after`` (refused unless 0 to 2⁶³−1) that ``query`` keeps, of what this view may read, in
        position order — streamed as it is taken (the lock is held while the reader is checked,
        not while the log is read). Events outside the chain are left out (:func:`~caseledger.application.events.in_the_chain`)."""
        check_position(after, "--after")
        scope = AuditScope(self.app, self.seat.actor)
        return in_the_chain(self.app, filtered_events(self.app, query.event_filter(scope), after=after))

    @serialised
    def entry(self, position: int) -> Entry | None:
        """The event at ``position`` in words (what the retract dialog shows), to whoever may read
        it: in the Audit screen's scope, their own entry, or an event of a case they may read.
        None when there is no readable event there or the viewer may not read it (the dialog then
        names the position alone)."""
        check_position(position, "position")
        event = event_at(self.app, position)
        if event is None:
            return None
        envelope, actor = event.envelope, self.seat.actor
        offender = getattr(envelope.data, "offender", None)
        readable = envelope.recorded_by == actor.login or allowed(lambda: AuditScope(self.app, actor).allows(envelope))
        if not readable and isinstance(offender, str):
            readable = allowed(lambda: require_case_reader(self.app, actor, offender))
        return entry_of(self.app, event) if readable else None
