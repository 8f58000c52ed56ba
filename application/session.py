"""One person's session on a store: what the terminal UI asks of the ledger, as plain data.

No Textual here: each method is a blocking call a UI worker runs, and its result is a plain
object the worker posts back to the UI (harlequin's model). One lock serialises store access
from the UI's workers, so a refresh and a recording never interleave on one connection pool.
The work itself is the application layer's (:mod:`.officer`, :mod:`.events`, :mod:`.exports`,
:mod:`.history`, :mod:`.commands`), shared with the command line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from caseledger.application.commands import LedgerService
from caseledger.application.events import AuditScope, EventFilter, LogPage, log_page
from caseledger.application.exports import ExportSpec, at_sites, export_projection
from caseledger.application.history import HistoryLine, case_history, require_case_reader
from caseledger.application.oddities import covered_now, oddities
from caseledger.application.officer import CaseRow, DueRow, WeekData, caseload, due, officer_for, week
from caseledger.application.readmodels import ReadModels
from caseledger.application.report import ReportSpec, check_output, write_report
from caseledger.application.suggestions import Offers, known_values
from caseledger.domain.errors import CacheForged
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.access import READERS, RECORDING_ROLES, Actor, export_sites, recordable, require_officer_reader
from caseledger.domain.model.clock import SYSTEM_CLOCK, Clock
from caseledger.domain.model.recording import actor_of
from caseledger.domain.model.times import Cutoff
from caseledger.domain.store.application import LedgerApplication, open_application
from caseledger.domain.store.views import StoreView
from caseledger.projections.catalogue import OVERDUE_CARRIED
from caseledger.projections.engine.compute import compute, compute_together, find
from caseledger.projections.engine.projector import Projector
from caseledger.projections.replay.facts import View
from caseledger.projections.rules import Rules, load_rules

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
"""What typed text may put in a file name (no separators, no dot-dot tricks: dots only where typed
inside a word, and a leading part is always the projection's name)."""


@dataclass(frozen=True)
class ExportCut:
    """The Export screen's cut, as typed: as-of and known-at (blank: now), the weeks (blank: all;
    add-on burden only) and whether to roll up by site."""

    as_of: str = ""
    known_at: str = ""
    first_week: str = ""
    last_week: str = ""
    by_site: bool = False

    def file_name(self, projection: str, fmt: str) -> str:
        """A file name that says what is in it: ``addon_burden-by-site-2026-W10-2026-W12-as-of-2026-03-20.csv``."""
        parts = [projection, *(["by-site"] if self.by_site else [])]
        parts += [week for week in (self.first_week, self.last_week) if week]
        parts += [f"{label}-{value[:10]}" for label, value in (("as-of", self.as_of), ("known-at", self.known_at)) if value]
        return _SAFE_NAME.sub("", "-".join(parts)) + f".{fmt}"


@dataclass(frozen=True)
class Seat:
    """Who is at the keyboard and whose view they have: the proven ``login`` records; ``actor``'s
    roles decide what the screens offer (the viewed user's; an admin may take anyone's view)."""

    login: str
    viewer: str
    actor: Actor
    notice: str | None = None
    """Why the view is not the one asked for, if it is not."""

    @property
    def records(self) -> bool:
        """Whether this view records at all (an auditor's or analyst's is read-only)."""
        return any(self.actor.holds(role) for role in RECORDING_ROLES)

    @property
    def recordable(self) -> list[str]:
        """The event types this view's roles may record (the record form offers only these)."""
        return recordable(self.actor)

    def may(self, action: str) -> bool:
        """Whether a role of this view allows ``action`` (a key of :data:`~caseledger.domain.model.access.READERS`)."""
        return any(self.actor.holds(role) for role in READERS[action])


class LedgerSession:
    """The store, its read models and the command service, for one user."""

    def __init__(self, store_url: str, user: str | None = None, clock: Clock = SYSTEM_CLOCK, *, login: str | None = None) -> None:
        """``user``: whose view to open (default: the login's own); who records is the store's
        login (``login`` names it where the store does not prove one: a script's or test's SQLite);
        ``clock``: what now is (fixed in tests and snapshots)."""
        self.lock = threading.RLock()
        self.app: LedgerApplication = open_application(store_url)
        self.projector = Projector(self.app)
        self.service = LedgerService(self.app, login, on_recorded=lambda _position: self.projector.catch_up())
        self.user = user or self.service.user
        self.clock = clock
        self.rules: Rules = load_rules("current")
        self._seat: Seat | None = None

    @property
    def seat(self) -> Seat:
        """Who is at the keyboard, with their roles (read from the store when first asked)."""
        return self._seat or self.take_seat()

    @property
    def seat_so_far(self) -> Seat:
        """The seat if its roles are read, else one with none (records nothing, reads nothing) —
        for a UI thread, which must not wait on the store while a worker catches up."""
        return self._seat or Seat(self.service.user, self.user, Actor(self.service.user))

    def take_seat(self) -> Seat:
        """Read the login's roles and the viewed user's: an admin may open anyone's view (with its
        roles; a view of someone holding none keeps the admin's), anyone else only their own."""
        with self.lock:
            view = StoreView(self.app)
            me = actor_of(view, self.service.user)
            notice = None
            viewer = self.user
            if viewer != me.login and not me.admin:
                notice, viewer = f"only an admin opens another user's view: showing {me.login}'s", me.login
            actor = me if viewer == me.login else actor_of(view, viewer)
            if actor is not me and not actor.roles:
                notice, actor = f"{viewer} holds no role in this store: their screens with your roles", me
            self.user = viewer
            self._seat = Seat(me.login, viewer, actor, notice)
            return self._seat

    def now(self) -> dt.datetime:
        """The session's clock (fixed in tests and snapshots)."""
        return self.clock.now()

    def zone_of(self, officer: str) -> str | None:
        """The time zone of ``officer``'s site (None: no such officer), whose local date is the
        record form's "today" (see :mod:`caseledger.domain.model.clock`)."""
        with self.lock:
            view = StoreView(self.app)
            record = view.officer(officer)
            site = view.site(record.site) if record is not None else None
        return site.timezone if site is not None else None

    def view(self, as_of: Cutoff | None = None, known_at: Cutoff | None = None) -> View:
        return View(as_of=as_of, known_at=known_at, now=self.now())

    # -- reads --------------------------------------------------------------------------------

    def head(self) -> int:
        with self.lock:
            return self.app.head_position()

    def catch_up(self) -> int:
        with self.lock:
            return self.projector.catch_up()

    def check_caches(self) -> str | None:
        """Count and check every read-model row against its seal (the officer screens check only
        the rows they read, so a deleted row is noticed here); if one fails, rebuild the read
        models and say why. Read without the session lock (screens keep loading meanwhile)."""
        try:
            self.projector.check(rows=True)
        except CacheForged as forged:
            with self.lock:
                self.projector.repair(forged)
            return str(forged)
        return None

    def officer_for(self, user: str) -> str:
        """The officer whose screens open: the one ``user`` is linked to, else ``user`` if an
        officer, else the first parole officer (a supervisor's or an auditor's first look)."""
        with self.lock:
            self.projector.catch_up()
            linked = self.seat.actor.officer if self.seat.viewer == user else None
            return linked or officer_for(self.projector, user)

    def officers(self) -> list[dict[str, Any]]:
        """Every officer's workload row now that this view may see (the Site screen: a supervisor's
        sites; every site for an auditor, an analyst or an admin), each with ``overdue``: how many
        deadlines of the cases they carry (own and covered, as their Due list) are overdue, and
        ``own_overdue``: of their own cases alone (a site's total counts each deadline once)."""
        sites = export_sites(self.seat.actor, identified=False)
        with self.lock:
            rows, carried = compute_together(self.app, [find("workload"), OVERDUE_CARRIED], self.view(), self.rules, self.projector).rows
        none = {"overdue": 0, "own_overdue": 0}
        overdue = {row["officer"]: {key: row[key] for key in none} for row in carried}
        rows = [{**row, **overdue.get(row["officer"], none)} for row in rows]
        return rows if sites is None else list(at_sites(rows, sites))

    def staffing(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The staffing rows now under the current and the proposed rules, of the sites this view
        may see (the Site screen's staffing view)."""
        sites = export_sites(self.seat.actor, identified=False)
        with self.lock:
            view = self.view()
            current, proposed = (compute(self.app, find("staffing"), view, load_rules(name), self.projector).rows for name in ("current", "proposed"))
        if sites is None:
            return current, proposed
        return list(at_sites(current, sites)), list(at_sites(proposed, sites))

    def _officer_reader(self, officer: str) -> None:
        record = StoreView(self.app).officer(officer)
        require_officer_reader(self.seat.actor, officer, record.site if record else None)

    def week(self, officer: str) -> WeekData:
        with self.lock:
            self._officer_reader(officer)
            self.projector.catch_up()
            return self.projector.trusting(lambda: week(self.projector, self.rules, self.view(), officer))

    def due(self, officer: str) -> list[DueRow]:
        with self.lock:
            self._officer_reader(officer)
            self.projector.catch_up()
            return self.projector.trusting(lambda: due(self.projector, self.rules, self.view(), officer))

    def known_values(self, officer: str) -> Offers:
        """What the record form offers as each id is typed (see :mod:`.suggestions`)."""
        with self.lock:
            self.projector.catch_up()
            return self.projector.trusting(lambda: known_values(self.projector, self.view(), officer))

    def caseload(self, officer: str) -> list[CaseRow]:
        with self.lock:
            self._officer_reader(officer)
            self.projector.catch_up()
            return self.projector.trusting(lambda: caseload(self.projector, self.view(), officer))

    def history(self, offender: str, as_of: Cutoff | None = None, known_at: Cutoff | None = None) -> list[HistoryLine]:
        with self.lock:
            require_case_reader(self.app, self.seat.actor, offender)
            return case_history(self.app, offender, as_of=as_of, known_at=known_at)

    def log_page(self, after: int, limit: int, keep: EventFilter) -> LogPage:
        with self.lock:
            return log_page(self.app, dataclasses.replace(keep, scope=AuditScope(self.app, self.seat.actor)), after, limit)

    # -- writes -------------------------------------------------------------------------------

    def oddities(self, data: p.Payload) -> list[str]:
        """What is accepted but odd about ``data`` (the form asks before recording it); for a
        coverage, who covers the absent officer now, read as the Site screen reads it."""
        with self.lock:
            covered = None
            if isinstance(data, p.CoverageStarted):
                self.projector.catch_up()
                covered = self.projector.trusting(lambda: covered_now(self.projector, self.view(), data.officer))
            return oddities(StoreView(self.app), data, covered)

    def record(self, data: p.Payload, occurred_at: dt.datetime | dt.date | str, note: str | None = None) -> int:
        with self.lock:
            return self.service.record(data, occurred_at, note)

    def export(self, name: str, fmt: str, path: str, *, deidentified: bool, rules: str, cut: ExportCut) -> int:
        """Export as the Export screen's form says (every option the command line takes, as
        typed, checked here)."""
        spec = ExportSpec.of(
            name,
            by_site=cut.by_site,
            rules=rules,
            as_of=cut.as_of or None,
            known_at=cut.known_at or None,
            labels=("as of", "known at"),
            now=self.now(),
            first_week=cut.first_week or None,
            last_week=cut.last_week or None,
        )
        sites = export_sites(self.seat.actor, identified=not deidentified)
        with self.lock:
            return export_projection(self.projector, spec, fmt=fmt, output=path, deidentified=deidentified, sites=sites)

    def report(self, first: str, last: str, path: str, *, rules: str = "current,proposed", on_step: Callable[[str], None] | None = None) -> None:
        """Write the analyst's report for the period (dates as typed, checked here) to ``path``
        (.html or .pdf), over the sites this view may export."""
        check_output(path)
        spec = ReportSpec.of(first, last, rules=rules, now=self.now(), labels=("report from", "report to"))
        sites = export_sites(self.seat.actor, identified=False)
        with self.lock:
            write_report(self.projector, spec, path, sites=sites, on_step=on_step)

    def read_model_lag(self) -> int:
        """Events the read models have still to apply (the TUI warns when it is large)."""
        with self.lock:
            return ReadModels(self.projector).lag()
