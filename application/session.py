"""One person's session on a store: what the terminal UI asks of the ledger, as plain data.

No Textual here: each method is a blocking call a UI worker runs, and its result is a plain
object the worker posts back to the UI (harlequin's model). One lock serialises store access
from the UI's workers, so a refresh and a recording never interleave on one connection pool.
The work itself is the application layer's (:mod:`.officer`, :mod:`.events`, :mod:`.exports`,
:mod:`.history`, :mod:`.commands`), shared with the command line.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from caseledger.application.commands import LedgerService
from caseledger.application.events import EventFilter, LogPage, log_page
from caseledger.application.exports import ExportSpec, export_projection
from caseledger.application.history import HistoryLine, case_history
from caseledger.application.officer import CaseRow, WeekData, caseload, officer_for, week
from caseledger.application.readmodels import ReadModels
from caseledger.domain.errors import CacheForged
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.times import Cutoff, utc_now
from caseledger.domain.store.application import LedgerApplication, open_application
from caseledger.projections.compute import compute, find
from caseledger.projections.readmodels.engine import Projector
from caseledger.projections.replay.facts import View
from caseledger.projections.rules import Rules, load_rules


class LedgerSession:
    """The store, its read models and the command service, for one user."""

    def __init__(self, store_url: str, user: str, now: dt.datetime | None = None) -> None:
        self.lock = threading.RLock()
        self.app: LedgerApplication = open_application(store_url)
        self.projector = Projector(self.app)
        self.service = LedgerService(self.app, user, on_recorded=lambda _position: self.projector.catch_up())
        self.user = user
        self.fixed_now = now
        self.rules: Rules = load_rules("current")

    def now(self) -> dt.datetime:
        """The session's clock (fixed in tests and snapshots)."""
        return self.fixed_now or utc_now()

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
        with self.lock:
            self.projector.catch_up()
            return officer_for(self.projector, user)

    def officers(self) -> list[dict[str, Any]]:
        """Every officer's workload row now (the Site screen and the officer picker)."""
        with self.lock:
            return compute(self.app, find("workload"), self.view(), self.rules, self.projector).rows

    def week(self, officer: str) -> WeekData:
        with self.lock:
            self.projector.catch_up()
            return self.projector.trusting(lambda: week(self.projector, self.rules, self.view(), officer))

    def caseload(self, officer: str) -> list[CaseRow]:
        with self.lock:
            self.projector.catch_up()
            return self.projector.trusting(lambda: caseload(self.projector, self.view(), officer))

    def history(self, offender: str, as_of: Cutoff | None = None, known_at: Cutoff | None = None) -> list[HistoryLine]:
        with self.lock:
            return case_history(self.app, offender, as_of=as_of, known_at=known_at)

    def log_page(self, after: int, limit: int, keep: EventFilter) -> LogPage:
        with self.lock:
            return log_page(self.app, keep, after, limit)

    # -- writes -------------------------------------------------------------------------------

    def record(self, data: p.Payload, occurred_at: dt.datetime | dt.date | str, note: str | None = None) -> int:
        with self.lock:
            return self.service.record(data, occurred_at, note)

    def export(self, name: str, fmt: str, path: str, *, deidentified: bool, as_of: str, rules: str) -> int:
        """Export as the Export screen's form says (``as_of`` as typed, checked here)."""
        spec = ExportSpec.of(name, rules=rules, as_of=as_of or None, labels=("as of", "known at"), now=self.now())
        with self.lock:
            return export_projection(self.projector, spec, fmt=fmt, output=path, deidentified=deidentified)

    def read_model_lag(self) -> int:
        """Events the read models have still to apply (the TUI warns when it is large)."""
        with self.lock:
            return ReadModels(self.projector).lag()
