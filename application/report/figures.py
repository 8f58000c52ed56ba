"""What the report is computed from: the rows of nine exports over the period, under each rule set.

:class:`ReportSpec` is what a person asked for (the period, the sites, the rule sets), checked
before the store is opened. :func:`gather` computes every export the sections read in one
catch-up and one replay per rule set (:func:`~caseledger.projections.engine.compute.compute_together`):
the weekly ones (addon_burden and coverage by site, weekly_hours) over the ISO weeks the period
touches, the others at the end of the period (T = the ``--to`` date), then keeps the rows of the
period and the sites. Every number the report shows is a sum, count or median of these rows, so an
analyst can reproduce it from the export the section names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from caseledger.application.exports import at_sites
from caseledger.domain.errors import DomainError
from caseledger.domain.model.times import LocalDay, iso_week, utc_now
from caseledger.projections.catalogue import BY_SITE, PROJECTIONS, Projection
from caseledger.projections.engine.compute import compute_together
from caseledger.projections.engine.projector import Projector
from caseledger.projections.replay.facts import View, Weeks
from caseledger.projections.rules import Rules, load_rules

DAY = dt.timedelta(days=1)
EARLIEST = dt.date(1900, 1, 1)
WEEKLY = ("addon_burden by site", "coverage by site", "weekly_hours")
"""The exports computed over the period's weeks."""
AT_T = ("staffing", "release_lead_time", "siu_stays", "transfers", "cclo_contacts", "deadlines")
"""The exports computed at the end of the period."""
RULED = ("coverage by site", "weekly_hours", "staffing")
"""The exports whose figures depend on ratios and case hours: computed under every rule set."""


def _projection(name: str) -> Projection:
    return BY_SITE[name.removesuffix(" by site")] if name.endswith(" by site") else PROJECTIONS[name]


def _date(text: str, flag: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DomainError(flag, f"{text!r} is not a date, like 2026-03-31") from None


@dataclass(frozen=True)
class ReportSpec:
    """The period (inclusive local dates), the sites (None: every site the reader may see) and the
    rule sets to compare, the first one the report's main rules."""

    first: dt.date
    last: dt.date
    rules: tuple[Rules, ...]
    sites: frozenset[str] | None = None
    now: dt.datetime = field(default_factory=utc_now)
    labels: tuple[str, str] = ("--from", "--to")
    """What the person typed the two dates into (the options, or the form's words), for refusals."""

    @classmethod
    def of(
        cls,
        first: str,
        last: str,
        *,
        rules: str = "current,proposed",
        sites: Iterable[str] = (),
        now: dt.datetime | None = None,
        labels: tuple[str, str] = ("--from", "--to"),
    ) -> ReportSpec:
        """Check what a person typed, in the order the command line shows it (``labels`` name the
        two dates in refusals: the options, or the form's words)."""
        start, end = _date(first, labels[0]), _date(last, labels[1])
        if start < EARLIEST:
            raise DomainError(labels[0], f"{start} is before {EARLIEST}: no event is that old")
        if start > end:
            raise DomainError(labels[0], f"{start} is after {labels[1]} {end}")
        names = [name.strip() for name in rules.split(",") if name.strip()]
        if not names or len(names) > 2:
            raise DomainError("--rules", "name one or two rule sets, like current,proposed")
        loaded = tuple(load_rules(name) for name in names)
        if len({rule_set.name for rule_set in loaded}) < len(loaded):
            raise DomainError("--rules", "name two different rule sets")
        return cls(start, end, loaded, frozenset(sites) or None, now or utc_now(), labels)

    @property
    def weeks(self) -> Weeks:
        """The ISO weeks the period touches (whole weeks: a week that starts before ``first`` counts whole)."""
        return Weeks(iso_week(self.first), iso_week(self.last))

    @property
    def week_labels(self) -> list[str]:
        """Every ISO week of :attr:`weeks`, in order: a weekly chart's x-axis (a week with no rows
        shows as nothing, not as a missing week)."""
        return [iso_week(self.monday + 7 * DAY * step) for step in range((self.last - self.monday).days // 7 + 1)]

    @property
    def months(self) -> list[str]:
        """Every calendar month the period touches (``2026-03``), in order: the CCLO section
        counts them whole."""
        count = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1
        return [f"{self.first.year + (self.first.month - 1 + step) // 12}-{(self.first.month - 1 + step) % 12 + 1:02d}" for step in range(count)]

    @property
    def monday(self) -> dt.date:
        """The Monday of the ISO week ``first`` is in: the weekly figures count whole weeks from it."""
        return self.first - self.first.weekday() * DAY

    @property
    def weekly_days(self) -> int:
        """The days the weekly figures count: from :attr:`monday` to ``last``."""
        return (self.last - self.monday).days + 1

    @property
    def view(self) -> View:
        """T: the end of the period's last day (a bare date: that date at every site)."""
        return View(as_of=LocalDay(self.last), now=self.now)


@dataclass(frozen=True)
class Figures:
    """The rows of each export, by export name and rule set name, inside the period and the sites."""

    spec: ReportSpec
    rows: dict[tuple[str, str], list[dict[str, Any]]]
    provenance: dict[str, Any]

    def of(self, name: str, rules: Rules | None = None) -> list[dict[str, Any]]:
        return self.rows[(name, (rules or self.spec.rules[0]).name)]


def _inside(name: str, row: dict[str, Any], first: dt.date, last: dt.date) -> bool:
    """Whether a row computed at T belongs to the period: a release by its decision (or release)
    date, an SIU stay that overlaps it, a transfer requested in it, a month of contacts that
    overlaps it, a deadline due in it; staffing is a photograph at T."""
    if name == "release_lead_time":
        anchor = row["decision_on"] or row["released_on"]
        return anchor is not None and first <= anchor <= last
    if name == "siu_stays":
        return row["started_on"] <= last and (row["ended_on"] is None or row["ended_on"] >= first)
    if name == "transfers":
        return first <= row["requested_on"] <= last
    if name == "cclo_contacts":
        return f"{first:%Y-%m}" <= row["month"] <= f"{last:%Y-%m}"
    if name == "deadlines":
        return first <= row["due_on"] <= last
    return True


def gather(projector: Projector, spec: ReportSpec, sites: frozenset[str] | None, on_step: Callable[[str], None] | None = None) -> Figures:
    """Every export the report reads, under every rule set, kept to the period and to ``sites``
    (those asked for, within those the reader may export: None is every site)."""
    wanted = spec.sites if sites is None else (spec.sites & sites if spec.sites is not None else sites)
    wanted_exports = [(name, spec.rules[0]) for name in (*WEEKLY, *AT_T)] + [(name, rules) for rules in spec.rules[1:] for name in RULED]
    together = compute_together(
        projector.app,
        [(_projection(name), rules) for name, rules in wanted_exports],
        spec.view,
        spec.rules[0],
        projector,
        weeks=spec.weeks,
        on_each=(lambda projection: on_step(projection.name)) if on_step is not None else None,
    )
    rows: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for (name, rules), found in zip(wanted_exports, together.rows, strict=True):
        kept = (row for row in found if _inside(name, row, spec.first, spec.last))
        rows[(name, rules.name)] = list(at_sites(kept, wanted) if wanted is not None else kept)
    keep = ("as_of", "known_at", "weeks", "log_position", "chain_head", "generated_at")
    provenance: dict[str, Any] = {"rules": [{"name": rules.name, "sha256": rules.sha256} for rules in spec.rules]}
    provenance |= {key: value for key, value in together.meta.items() if key in keep}
    provenance |= {"period": f"{spec.first}..{spec.last}", "sites": sorted(wanted) if wanted is not None else "every site", "deidentified": True}
    return Figures(spec, rows, provenance)


def steps(rule_sets: int = 2) -> int:
    """How many exports :func:`gather` computes for that many rule sets (a progress bar's total)."""
    return len(WEEKLY) + len(AT_T) + len(RULED) * (rule_sets - 1)
