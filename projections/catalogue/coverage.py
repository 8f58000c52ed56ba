"""coverage — case-days over time: who carried absent colleagues' cases, and whose nobody carried.

The workload projection is a photograph at T; this one counts each officer's state at the end of
every local day (the instant before the next local midnight at the site the officer is at then;
T's own day with the state at T), in ISO weeks (the specification's "Coverage and backfill"):

* ``leave_days`` — days on leave; ``own_case_days`` — Σ own caseload (counted even on leave);
* ``covered_case_days`` — Σ covered caseload (absent colleagues on leave this officer covers, each
  covering officer the whole caseload, as in workload); ``uncovered_case_days`` — Σ own caseload
  while on leave with no active coverage;
* ``covered_hours`` — Σ case hours of the role × weighted covered caseload / 7 per day.

``--by site`` rolls the officer-days up by site and week, adding ``uncovered_hours`` (the absent
officer's role and weighting) and ``backfill_fte`` = (covered + uncovered hours) / the week.

Each day's figures are the caseload rules of :mod:`caseledger.projections.replay.caseloads` at that
instant (warrant expiry, leave, coverage), kept as the facts apply
(:mod:`caseledger.projections.replay.daily`): a retracted event (a leave that never was) is in no
day, and ``--from`` starts from the newest world snapshot before that week. Readings where the
specification is silent: with a bare-date T (the end of that day at every site), T's own day is
counted with the state at T as workload has it (every fact dated by T at its own site); an
officer who moves between time zones meets a date at two sites' day ends, or at neither: each
date counts once, at the first day end that finds the officer, a skipped one with the next; no
day after today is counted (an as-of in the future does not invent weeks).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from caseledger.projections.catalogue import workload
from caseledger.projections.replay.caseloads import weighted
from caseledger.projections.replay.daily import week_tallies
from caseledger.projections.replay.inputs import Inputs, columns, rounded

NAME = "coverage"
EVENT_TYPES = workload.EVENT_TYPES
"""The timeline event types this projection reads (the rest are not loaded)."""
COLUMNS = columns("officer:str, site:str, week:str, leave_days:int, own_case_days:int, covered_case_days:int, uncovered_case_days:int, covered_hours:float")
SITE_COLUMNS = columns(
    "site:str, week:str, officers_on_leave_days:int, covered_case_days:int, uncovered_case_days:int, covered_hours:float, uncovered_hours:float, backfill_fte:float"
)


@dataclass
class Tally:
    """One officer's (or site's) days in one week at one site, exact until the end."""

    leave_days: int = 0
    own_case_days: int = 0
    covered_case_days: int = 0
    uncovered_case_days: int = 0
    covered_hours: Fraction | int = 0
    uncovered_hours: Fraction | int = 0


def tallies(inputs: Inputs) -> tuple[dict[tuple[str, str, str], Tally], dict[tuple[str, str], Tally]]:
    """The officer tallies by (officer, week, site) and the site tallies by (site, week), inside
    the weeks asked for: the rule-free day tallies with this rule set's hours applied."""
    rules = inputs.rules
    officers: defaultdict[tuple[str, str, str], Tally] = defaultdict(Tally)
    sites: defaultdict[tuple[str, str], Tally] = defaultdict(Tally)
    for (officer, week, site, role), days in week_tallies(inputs, EVENT_TYPES).days.items():
        covered_hours = uncovered_hours = None  # most officer-weeks cover nobody and leave nothing uncovered: no fraction at all
        if days.covered or days.uncovered:
            hours = rules.case_hours(role) / 7
            covered_hours = hours * weighted(rules, days.covered) if days.covered else None
            uncovered_hours = hours * weighted(rules, days.uncovered) if days.uncovered else None
        for tally in (officers[(officer, week, site)], sites[(site, week)]):
            tally.leave_days += days.leave_days
            tally.covered_case_days += days.covered_case_days
            tally.uncovered_case_days += days.uncovered_case_days
            if covered_hours is not None:
                tally.covered_hours += covered_hours
            if uncovered_hours is not None:
                tally.uncovered_hours += uncovered_hours
        officers[(officer, week, site)].own_case_days += days.own_case_days
    return dict(officers), dict(sites)


def compute(inputs: Inputs) -> list[dict[str, Any]]:
    officers, _sites = tallies(inputs)
    rows = [
        {
            "officer": officer,
            "site": site,
            "week": week,
            "leave_days": tally.leave_days,
            "own_case_days": tally.own_case_days,
            "covered_case_days": tally.covered_case_days,
            "uncovered_case_days": tally.uncovered_case_days,
            "covered_hours": rounded(tally.covered_hours, 2),
        }
        for (officer, week, site), tally in officers.items()
    ]
    rows.sort(key=lambda row: (row["officer"], row["week"], row["site"]))
    return rows


def compute_by_site(inputs: Inputs) -> list[dict[str, Any]]:
    _officers, sites = tallies(inputs)
    week = inputs.rules.weekly_hours
    rows = [
        {
            "site": site,
            "week": label,
            "officers_on_leave_days": tally.leave_days,
            "covered_case_days": tally.covered_case_days,
            "uncovered_case_days": tally.uncovered_case_days,
            "covered_hours": rounded(tally.covered_hours, 2),
            "uncovered_hours": rounded(tally.uncovered_hours, 2),
            "backfill_fte": rounded((tally.covered_hours + tally.uncovered_hours) / week, 2),
        }
        for (site, label), tally in sites.items()
    ]
    rows.sort(key=lambda row: (row["site"], row["week"]))
    return rows
