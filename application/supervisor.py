"""The supervisor's questions, answered from the workload rows: who is over their ratio or their
week, who is away, whose cases nobody carries — in words a supervisor uses, with the cells that
need action marked — and the same per site, with totals (the Site screen).

Plain data only (no Textual): a :class:`Cell` says its text and whether it is over a limit; the
screen decides how that looks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from caseledger.application.text import ROLE_WORDS
from caseledger.projections.catalogue.staffing import CASELOAD_ROLES


@dataclass(frozen=True)
class Cell:
    text: str
    over: bool = False
    """Over a limit: more cases than the ratio, more hours than the week, cases nobody carries."""


OFFICER_HEADER = ("officer", "leave", "cases / ratio", "deadlines", "est. hours / week", "overtime", "uncovered", "role", "covering", "add-ons")
"""What needs action first, so a narrow terminal (80 columns) cuts what needs it least."""
SITE_HEADER = ("site", "cases / capacity", "vs capacity", "uncovered", "deadlines", "overtime", "est. hours / available", "officers")
"""What needs action first, as :data:`OFFICER_HEADER`. Cases are the site's, each counted once (a
case is its officer's, at that officer's site, however many colleagues cover it); capacity sums
the ratios of the caseload-carrying officers not on leave (parole officers, as the staffing
projection counts them; none at a community office: hours-based); "vs capacity" says how far
over or under it the cases are."""


def _hours(value: float) -> str:
    return f"{value:.2f} h"


def _cases(count: int) -> str:
    return f"{count} case" if count == 1 else f"{count} cases"


def officer_row(row: dict[str, Any]) -> tuple[Cell, ...]:
    """One officer's workload row as the supervisor reads it (in :data:`OFFICER_HEADER`'s order)."""
    cases, ratio = row["effective_caseload"], row["ratio_standard"]
    estimated, week = row["estimated_weekly_hours"], row["weekly_hours"]
    return (
        Cell(_officer(row)),
        Cell("on leave" if row["on_leave"] else ""),
        Cell(f"{cases} / {ratio}" if ratio else str(cases), over=bool(ratio) and cases > ratio),
        _overdue_carried(row),
        Cell(f"{_hours(estimated)} / {_week(row)}", over=estimated > week),
        Cell(_hours(row["overtime_hours"]) if row["overtime_hours"] else "", over=row["overtime_hours"] > 0),
        Cell(_cases(row["uncovered_caseload"]) if row["uncovered_caseload"] else "", over=row["uncovered_caseload"] > 0),
        Cell(ROLE_WORDS.get(row["role"], row["role"])),
        Cell(_cases(row["covered_caseload"]) if row["covered_caseload"] else ""),
        Cell(_hours(row["addon_minutes_week"] / 60) if row["addon_minutes_week"] else ""),
    )


def _officer(row: dict[str, Any]) -> str:
    """The officer's id, and where they moved from and when (their id may name their old site):
    ``PO3 (moved from ON0-CBI on 2026-05-04)``."""
    moved = row.get("moved_from")
    return f"{row['officer']} (moved from {moved} on {row['moved_on']})" if moved else row["officer"]


def _week(row: dict[str, Any]) -> str:
    """The officer's contracted week: ``37.5`` (the rules' full week, as the header says: hours),
    or a shorter one marked ``30 h (part-time)``."""
    week, full = row["weekly_hours"], row.get("full_week")
    return f"{week:g} h (part-time)" if full is not None and week < full else f"{week:g}"


def _overdue_carried(row: dict[str, Any]) -> Cell:
    """Overdue deadlines of the cases an officer carries; of an officer on leave, who carries them
    instead: ``9 overdue, covered by PO3`` (theirs to meet: counted on the cover's row too, and
    not marked here) or ``9 overdue, nobody covers`` (marked)."""
    count = row.get("overdue", 0)
    if not (row["on_leave"] and count):
        return _overdue(count)
    covering = row.get("covered_by")
    return Cell(f"{count} overdue, covered by {covering}") if covering else Cell(f"{count} overdue, nobody covers", over=True)


def _overdue(count: int) -> Cell:
    """Overdue deadlines of the cases carried: ``3 overdue`` under the header "deadlines"."""
    return Cell(f"{count} overdue" if count else "", over=count > 0)


def site_rows_with_totals(rows: Iterable[dict[str, Any]]) -> list[tuple[Cell, ...]]:
    """One row per site — its cases against its capacity and how far over or under, uncovered
    cases, overdue deadlines, overtime, estimated hours against the weeks, officers and how many
    are away (on leave) — sites needing action first, then a row of totals (when there are several sites).

    A case counts once: a site's cases are its officers' own caseloads summed (each case has one
    officer), not what each officer carries, which counts a covered case for the absent officer's
    every coverer; its overdue deadlines likewise (``own_overdue``, each deadline once). A total over sites never nets one site against another: how far the sites are
    over their capacity and how far under are summed apart, and the total is marked over where a
    site is."""
    by_site: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_site[row["site"]].append(row)
    sites = [SiteTotals.of(site, members) for site, members in by_site.items()]
    sites.sort(key=lambda site: (-site.uncovered, -site.overdue, -site.overtime, -(site.cases / site.capacity if site.capacity else 0), site.site))
    return [site.cells() for site in sites] + ([SiteTotals.over_sites(sites).cells()] if len(sites) > 1 else [])


@dataclass(frozen=True)
class SiteTotals:
    """A site's officers summed, or every site's (see :meth:`over_sites`)."""

    site: str
    officers: int
    away: int
    cases: int
    capacity: int
    rated: bool
    """Whether any parole officer has a ratio, on leave or not (a community office's have none:
    capacity is hours there)."""
    over_capacity: int
    """Cases beyond the capacity: at a site, ``cases − capacity`` when positive; over sites, the sum of theirs."""
    under_capacity: int
    """Capacity left: at a site, ``capacity − cases`` when positive; over sites, the sum of theirs."""
    overtime: float
    uncovered: int
    estimated: float
    weeks: float
    hours_over: bool
    """Estimated hours over the weeks: at a site, in sum; over sites, at any one."""
    overdue: int
    """Overdue deadlines of the officers' own cases (a covered case's are its officer's)."""

    @classmethod
    def of(cls, site: str, members: Sequence[dict[str, Any]]) -> SiteTotals:
        cases = sum(row["own_caseload"] for row in members)
        carriers = [row for row in members if row["role"] in CASELOAD_ROLES]
        capacity = sum(row["ratio_standard"] or 0 for row in carriers if not row["on_leave"])
        rated = any(row["ratio_standard"] for row in carriers)
        estimated = sum(row["estimated_weekly_hours"] for row in members)
        weeks = sum(row["weekly_hours"] for row in members if not row["on_leave"])
        return cls(
            site,
            officers=len(members),
            away=sum(1 for row in members if row["on_leave"]),
            cases=cases,
            capacity=capacity,
            rated=rated,
            over_capacity=max(cases - capacity, 0) if rated else 0,
            under_capacity=max(capacity - cases, 0) if rated else 0,
            overtime=sum(row["overtime_hours"] for row in members),
            uncovered=sum(row["uncovered_caseload"] for row in members),
            estimated=estimated,
            weeks=weeks,
            hours_over=estimated > weeks,
            overdue=sum(row["own_overdue"] for row in members),
        )

    @classmethod
    def over_sites(cls, sites: Sequence[SiteTotals]) -> SiteTotals:
        """Every site's totals summed: cases, capacity, hours and counts add up; how far over and
        how far under capacity are summed apart (a site's spare capacity takes no case of another)."""
        return cls(
            "all sites",
            officers=sum(site.officers for site in sites),
            away=sum(site.away for site in sites),
            cases=sum(site.cases for site in sites),
            capacity=sum(site.capacity for site in sites),
            rated=any(site.rated for site in sites),
            over_capacity=sum(site.over_capacity for site in sites),
            under_capacity=sum(site.under_capacity for site in sites),
            overtime=sum(site.overtime for site in sites),
            uncovered=sum(site.uncovered for site in sites),
            estimated=sum(site.estimated for site in sites),
            weeks=sum(site.weeks for site in sites),
            hours_over=any(site.hours_over for site in sites),
            overdue=sum(site.overdue for site in sites),
        )

    def cells(self) -> tuple[Cell, ...]:
        """The row in :data:`SITE_HEADER`'s order."""
        beyond = [f"{self.over_capacity} over"] if self.over_capacity else []
        beyond += [f"{self.under_capacity} spare"] if self.under_capacity else []
        return (
            Cell(self.site),
            Cell(f"{self.cases} / {self.capacity}" if self.rated else f"{self.cases} (no ratio)", over=self.over_capacity > 0),
            Cell(" · ".join(beyond), over=self.over_capacity > 0),
            Cell(_cases(self.uncovered) if self.uncovered else "", over=self.uncovered > 0),
            _overdue(self.overdue),
            Cell(_hours(self.overtime) if self.overtime else "", over=self.overtime > 0),
            Cell(f"{_hours(self.estimated)} / {self.weeks:g}", over=self.hours_over),
            Cell(f"{self.officers} ({self.away} away)" if self.away else str(self.officers)),
        )


STAFFING_HEADER = ("site", "cases", "FTE", "need now", "short", "spare", "need prop.", "short", "spare")
"""Officers in full-time equivalents (FTE) throughout: available, then needed, short and spare
under the current rules, then under the proposed ones — narrow enough for 80 columns."""


def _fte(value: float) -> str:
    return f"{value:.2f}"


def staffing_rows(current: Sequence[dict[str, Any]], proposed: Sequence[dict[str, Any]]) -> list[tuple[Cell, ...]]:
    """Staffing under the current and the proposed rules side by side, one row per site (the
    ``staffing`` projection's rows under each rule set, in the same site order), those short the
    most under the proposed rules first, then a row of totals (when there are several sites).

    A site's gap is short (marked) or spare. The total never nets one site's spare officers
    against another's shortage: it shows the shortage Σ max(gap, 0) and the surplus
    Σ max(−gap, 0) side by side, each summed from the sites' rows as shown (2 decimals), so the
    columns add up as read."""
    proposed_by_site = {row["site"]: row for row in proposed}
    pairs = [(row, proposed_by_site[row["site"]]) for row in current if row["site"] in proposed_by_site]
    pairs.sort(key=lambda pair: (-pair[1]["gap_fte"], -pair[0]["gap_fte"], pair[0]["site"]))
    rows = [_staffing_cells(now["site"], now["cases"], now["officers_available_fte"], Staffing.of([now]), Staffing.of([then])) for now, then in pairs]
    if len(pairs) > 1:
        nows, thens = [now for now, _ in pairs], [then for _, then in pairs]
        rows.append(
            _staffing_cells("all sites", sum(now["cases"] for now in nows), _sum(nows, "officers_available_fte"), Staffing.of(nows), Staffing.of(thens))
        )
    return rows


@dataclass(frozen=True)
class Staffing:
    """Under one rule set, of one site or several: officers needed, short and spare (FTE)."""

    required: float
    shortage: float
    surplus: float

    @classmethod
    def of(cls, rows: Sequence[dict[str, Any]]) -> Staffing:
        gaps = [row["gap_fte"] for row in rows]
        return cls(_sum(rows, "required_fte"), _total(max(gap, 0) for gap in gaps), _total(max(-gap, 0) for gap in gaps))


def _sum(rows: Sequence[dict[str, Any]], key: str) -> float:
    return _total(row[key] for row in rows)


def _total(values: Iterable[float]) -> float:
    """Values of 2 decimals summed exactly (no float drift: 0.1 + 0.2 is 0.30)."""
    return float(sum((Decimal(str(value)) for value in values), Decimal(0)))


def _staffing_cells(site: str, cases: int, available: float, now: Staffing, then: Staffing) -> tuple[Cell, ...]:
    return (
        Cell(site),
        Cell(str(cases)),
        Cell(_fte(available)),
        *_needed(now),
        *_needed(then),
    )


def _needed(staffing: Staffing) -> tuple[Cell, ...]:
    """Needed, short (marked) and spare; a blank where there is none."""
    return (
        Cell(_fte(staffing.required)),
        Cell(_fte(staffing.shortage) if staffing.shortage else "", over=staffing.shortage > 0),
        Cell(_fte(staffing.surplus) if staffing.surplus else ""),
    )
