"""The supervisor's questions, answered from the workload rows: who is over their ratio or their
week, who is away, whose cases nobody carries — in words a supervisor uses, with the cells that
need action marked — and the same per site, with totals (the Site screen; issue #12, point 4).

Plain data only (no Textual): a :class:`Cell` says its text and whether it is over a limit; the
screen decides how that looks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from caseledger.application.text import ROLE_WORDS


@dataclass(frozen=True)
class Cell:
    text: str
    over: bool = False
    """Over a limit: more cases than the ratio, more hours than the week, cases nobody carries."""


OFFICER_HEADER = ("officer", "leave", "cases / ratio", "deadlines", "est. hours / week", "overtime", "uncovered", "role", "covering", "add-ons")
"""What needs action first, so a narrow terminal (80 columns) cuts what needs it least."""
SITE_HEADER = ("site", "officers", "on leave", "caseloads / capacity", "est. hours / available", "overtime", "uncovered", "deadlines")
"""Caseloads are what the officers carry (a covered case counts for each officer carrying it);
capacity sums the ratios of the officers not on leave (none at a community office: hours-based)."""


def _hours(value: float) -> str:
    return f"{value:.2f} h"


def _cases(count: int) -> str:
    return f"{count} case" if count == 1 else f"{count} cases"


def officer_row(row: dict[str, Any]) -> tuple[Cell, ...]:
    """One officer's workload row as the supervisor reads it (in :data:`OFFICER_HEADER`'s order)."""
    cases, ratio = row["effective_caseload"], row["ratio_standard"]
    estimated, week = row["estimated_weekly_hours"], row["weekly_hours"]
    return (
        Cell(row["officer"]),
        Cell("on leave" if row["on_leave"] else ""),
        Cell(f"{cases} / {ratio}" if ratio else str(cases), over=bool(ratio) and cases > ratio),
        _overdue(row.get("overdue", 0)),
        Cell(f"{_hours(estimated)} / {week:g}", over=estimated > week),
        Cell(_hours(row["overtime_hours"]) if row["overtime_hours"] else "", over=row["overtime_hours"] > 0),
        Cell(_cases(row["uncovered_caseload"]) if row["uncovered_caseload"] else "", over=row["uncovered_caseload"] > 0),
        Cell(ROLE_WORDS.get(row["role"], row["role"])),
        Cell(_cases(row["covered_caseload"]) if row["covered_caseload"] else ""),
        Cell(_hours(row["addon_minutes_week"] / 60) if row["addon_minutes_week"] else ""),
    )


def _overdue(count: int) -> Cell:
    """Overdue deadlines of the cases carried: ``3 overdue`` under the header "deadlines"."""
    return Cell(f"{count} overdue" if count else "", over=count > 0)


def site_rows_with_totals(rows: Iterable[dict[str, Any]]) -> list[tuple[Cell, ...]]:
    """One row per site — officers, how many on leave, cases against the sites' capacity (the sum
    of each officer's ratio), estimated hours against the weeks, overtime, uncovered cases and
    overdue deadlines —
    sites needing action first, then a row of totals."""
    by_site: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_site[row["site"]].append(row)
    summed = [_summed(site, members) for site, members in by_site.items()]
    summed.sort(key=lambda totals: (-totals[6], -totals[9], -totals[5], -(totals[3] / totals[4] if totals[4] else 0), totals[0]))
    everything = _summed("all sites", [row for members in by_site.values() for row in members]) if len(summed) > 1 else None
    return [_site_cells(totals) for totals in summed] + ([_site_cells(everything)] if everything else [])


def _summed(site: str, members: Sequence[dict[str, Any]]) -> tuple[Any, ...]:
    return (
        site,
        len(members),
        sum(1 for row in members if row["on_leave"]),
        sum(row["effective_caseload"] for row in members),
        sum(row["ratio_standard"] or 0 for row in members if not row["on_leave"]),
        sum(row["overtime_hours"] for row in members),
        sum(row["uncovered_caseload"] for row in members),
        sum(row["estimated_weekly_hours"] for row in members),
        sum(row["weekly_hours"] for row in members if not row["on_leave"]),
        sum(row.get("overdue", 0) for row in members),
    )


def _site_cells(totals: tuple[Any, ...]) -> tuple[Cell, ...]:
    site, officers, away, cases, capacity, overtime, uncovered, estimated, weeks, overdue = totals
    return (
        Cell(site),
        Cell(str(officers)),
        Cell(str(away) if away else ""),
        Cell(f"{cases} / {capacity}" if capacity else f"{cases} (no ratio)", over=bool(capacity) and cases > capacity),
        Cell(f"{_hours(estimated)} / {weeks:g}", over=estimated > weeks),
        Cell(_hours(overtime) if overtime else "", over=overtime > 0),
        Cell(_cases(uncovered) if uncovered else "", over=uncovered > 0),
        _overdue(overdue),
    )


STAFFING_HEADER = ("site", "cases here", "FTE", "need now", "short now", "need prop.", "short prop.")
"""Officers in full-time equivalents (FTE) throughout: available, needed and short under the
current rules, then under the proposed ones — narrow enough for 80 columns."""


def _fte(value: float) -> str:
    return f"{value:.2f}"


def _short(gap: float) -> Cell:
    """A gap: ``2.40`` short (marked), ``0.60 spare``, or nothing when even."""
    if gap > 0:
        return Cell(_fte(gap), over=True)
    return Cell(f"{_fte(-gap)} spare" if gap < 0 else "")


def staffing_rows(current: Sequence[dict[str, Any]], proposed: Sequence[dict[str, Any]]) -> list[tuple[Cell, ...]]:
    """Staffing under the current and the proposed rules side by side, one row per site (the
    ``staffing`` projection's rows under each rule set, in the same site order), those short the
    most under the proposed rules first, then a row of totals (gaps summed: a spare officer at one
    site does not fill a gap at another, but the total shows the net)."""
    proposed_by_site = {row["site"]: row for row in proposed}
    pairs = [(row, proposed_by_site[row["site"]]) for row in current if row["site"] in proposed_by_site]
    pairs.sort(key=lambda pair: (-pair[1]["gap_fte"], -pair[0]["gap_fte"], pair[0]["site"]))
    rows = [_staffing_cells(now["site"], now, then) for now, then in pairs]
    if len(pairs) > 1:
        rows.append(_staffing_cells("all sites", _total([now for now, _ in pairs]), _total([then for _, then in pairs])))
    return rows


def _total(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The sites' staffing rows summed (FTE to 2 decimals, as each row is)."""
    return {key: round(sum(row[key] for row in rows), 2) for key in ("cases", "officers_available_fte", "required_fte", "gap_fte")}


def _staffing_cells(site: str, now: dict[str, Any], then: dict[str, Any]) -> tuple[Cell, ...]:
    return (
        Cell(site),
        Cell(str(now["cases"])),
        Cell(_fte(now["officers_available_fte"])),
        Cell(_fte(now["required_fte"])),
        _short(now["gap_fte"]),
        Cell(_fte(then["required_fte"])),
        _short(then["gap_fte"]),
    )
