"""The one door to the ledger: :class:`Ledger`, a headless application with one method per use case,
that the command line, the terminal UI and any other front end hold.

``Ledger.open(url, view)`` opens the store once and holds who is asking (the login the store
proves, the view it takes and their roles), the clock and the read models. Every use case starts
with its own permission check from the permission table (:mod:`caseledger.domain.model.access`,
the specification's "Who may do what") and derives from the actor what may be seen — which sites'
rows, offender ids or pseudonyms — so a use case called with no front end before it exports no
site its actor may not see. Front ends parse what a person typed (:mod:`.requests`), call one
method and show what it returns (:mod:`.results` and the rows and values it names).

The use cases are grouped by what they do, one module each, all methods of the one class:

* :mod:`.recording` — record, retract, import, grant, revoke, link, init-roles, the demo; what
  the record form offers (suggestions) and asks (oddities);
* :mod:`.reading` — an officer's week, due list and caseload, a site's officers and staffing, a
  case's history and its state at a cut, the audit log (a page, or the raw log streamed);
* :mod:`.exporting` — export, report;
* :mod:`.keeping` — status, whoami, verify, checkpoint, rebuild, project.
"""

from __future__ import annotations

from caseledger.application.casestate import CaseState, PlanShown
from caseledger.application.entries import Entry, payload_words
from caseledger.application.events import LogPage
from caseledger.application.exports import BY_SITE_PROJECTIONS, EXPORT_FORMATS, PROJECTION_NAMES, WEEKLY_PROJECTIONS, ExportSpec
from caseledger.application.history import HistoryLine
from caseledger.application.imports import ImportReport
from caseledger.application.integrity import check_file, checkpoint_document, quarantine_line
from caseledger.application.ledger.core import Progress
from caseledger.application.ledger.exporting import Exporting
from caseledger.application.ledger.keeping import Keeping
from caseledger.application.ledger.reading import Reading
from caseledger.application.ledger.recording import Recording
from caseledger.application.ledger.requests import EVENT_TYPES, ExportCut, LogQuery
from caseledger.application.ledger.results import Imported, Rebuilt, Recorded, Seat, Verification
from caseledger.application.officer import CaseRow, DueRow, WeekData, completing_entry, site_rows
from caseledger.application.report import ReportSpec, check_output, steps
from caseledger.application.status import StoreStatus
from caseledger.application.suggestions import Offers
from caseledger.domain.model.clock import SYSTEM_CLOCK, Clock
from caseledger.domain.model.times import parse_cutoff
from caseledger.domain.store.application import open_application
from caseledger.projections.output.targets import output_target

__all__ = [
    "BY_SITE_PROJECTIONS",
    "EVENT_TYPES",
    "EXPORT_FORMATS",
    "PROJECTION_NAMES",
    "WEEKLY_PROJECTIONS",
    "CaseRow",
    "CaseState",
    "DueRow",
    "Entry",
    "ExportCut",
    "ExportSpec",
    "HistoryLine",
    "ImportReport",
    "Imported",
    "Ledger",
    "LogPage",
    "LogQuery",
    "Offers",
    "PlanShown",
    "Progress",
    "Rebuilt",
    "Recorded",
    "ReportSpec",
    "Seat",
    "StoreStatus",
    "Verification",
    "WeekData",
    "check_file",
    "check_output",
    "checkpoint_document",
    "completing_entry",
    "output_target",
    "parse_cutoff",
    "payload_words",
    "quarantine_line",
    "site_rows",
    "steps",
]


class Ledger(Recording, Reading, Exporting, Keeping):
    """One person's ledger: the store, who they are and may see, the clock, the read models, and
    every use case as a method."""

    @classmethod
    def open(
        cls,
        url: str,
        view: str | None = None,
        *,
        clock: Clock = SYSTEM_CLOCK,
        login: str | None = None,
        payloads: bool = True,
        eager: bool = False,
        progress: Progress | None = None,
        witness: bool = True,
    ) -> Ledger:
        """Open the store at ``url`` (creating it where a new store may be made there) with
        ``view``'s screens (default: the login's own; only an admin takes another's).

        ``clock``: what now is (fixed in tests and snapshots); ``login``: who records where the
        store proves no login (a script's or a test's SQLite; on PostgreSQL the database login,
        whatever is given); ``payloads``: False to open without the store's keys, for use cases
        that only walk the hash chain (status, verify, checkpoint: the chain covers the
        ciphertext) or that check their permission before they open it again (rebuild);
        ``eager``: open the read models and prove the login now, not when first needed (a front
        end that shows them from its first screen refuses at once a store it cannot read or a
        login it cannot record as); ``progress``: how to show long work (None: not shown);
        ``witness``: refuse now a log that no longer extends what this user's clients saw of it
        (:meth:`check_witness`; a front end that shows the alarm on screen asks later)."""
        ledger = cls(open_application(url, payloads=payloads), url, view, clock=clock, login=login, progress=progress)
        if payloads and witness:  # before any figure: the log still extends what this user's clients saw of it
            ledger.check_witness()
        if eager:
            _ = ledger.projector, ledger.login
        return ledger
