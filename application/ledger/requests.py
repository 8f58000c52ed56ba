"""What a front end asks the Ledger for, as a person typed it.

An export or a report is asked for as a spec (:class:`~caseledger.application.exports.ExportSpec`,
:class:`~caseledger.application.report.ReportSpec`), parsed and checked from the typed text before
the store is opened (the Export screen's form: :class:`ExportCut`); the audit log's filters as
typed (:class:`LogQuery`), parsed by the Ledger once it has checked who may read the log.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from caseledger.application.events import EventFilter, Scope
from caseledger.application.exports import ExportSpec
from caseledger.domain.errors import DomainError
from caseledger.domain.events.catalogue import PAYLOAD_TYPES
from caseledger.domain.model.times import parse_cutoff

EVENT_TYPES = tuple(PAYLOAD_TYPES)
"""Every event type, in the catalogue's order (what ``--type`` offers)."""

LAST_POSITION = 2**63 - 1
"""The largest log position a store can hold (a signed 64-bit integer)."""


def check_position(position: int, label: str, *, first: int = 0) -> int:
    """``position`` if it is one a log can hold (``first`` to :data:`LAST_POSITION`), else a
    refusal naming ``label`` — before it reaches the database, which would overflow."""
    if not first <= position <= LAST_POSITION:
        raise DomainError(label, f"{position} is not a log position ({first} to {LAST_POSITION})")
    return position


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

    def spec(self, projection: str, rules: str, now: dt.datetime) -> ExportSpec:
        """What to export, checked (the form's words name what is wrong)."""
        return ExportSpec.of(
            projection,
            by_site=self.by_site,
            rules=rules,
            as_of=self.as_of or None,
            known_at=self.known_at or None,
            labels=("as of", "known at"),
            now=now,
            first_week=self.first_week or None,
            last_week=self.last_week or None,
        )


@dataclass(frozen=True)
class LogQuery:
    """Which events of the log to show, as typed (every field optional; blank keeps everything):
    types, who recorded them, the offender or officer they name, and the occurred and recorded
    time bounds (a timestamp with offset, or a bare date: that local day at each event's site)."""

    types: Sequence[str] = ()
    actor: str | None = None
    offender: str | None = None
    officer: str | None = None
    occurred_from: str = ""
    occurred_to: str = ""
    known_at: str = ""
    labels: tuple[str, str, str] = ("occurred from", "occurred to", "known at")
    """How a refusal of each time bound names it (the Audit screen's words; ``--as-of``… on the command line)."""

    def event_filter(self, scope: Scope) -> EventFilter:
        """The filter, time bounds parsed (the first bad one refused, naming it), keeping only what
        ``scope`` lets the reader see."""
        occurred_from, occurred_to, known_at = (
            parse_cutoff(text, label) if text else None for text, label in zip((self.occurred_from, self.occurred_to, self.known_at), self.labels, strict=True)
        )
        return EventFilter(
            types=self.types,
            actor=self.actor,
            offender=self.offender,
            officer=self.officer,
            occurred_from=occurred_from,
            occurred_to=occurred_to,
            known_at=known_at,
            scope=scope,
        )
