"""workload — one row per registered officer at T: caseload against the ratio, hours against the week."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from caseledger.domain.model.times import iso_week as week_label
from caseledger.projections.replay.facts import retracted_addons, where
from caseledger.projections.replay.inputs import BASE_TYPES, Inputs, columns, rounded
from caseledger.projections.replay.world import OfficerInfo

NAME = "workload"
EVENT_TYPES = BASE_TYPES | {"OfficerMoved", "LeaveStarted", "LeaveEnded", "CoverageStarted", "CoverageEnded", "ComplexityFlagged", "ComplexityCleared"}
"""The timeline event types this projection reads (the rest are not loaded)."""
COLUMNS = columns(
    "officer:str, site:str, role:str, on_leave:bool, own_caseload:int, covered_caseload:int, effective_caseload:int, "
    "ratio_standard:int, ratio_utilization:float, weighted_caseload:float, case_hours:float, addon_minutes_week:int, "
    "estimated_weekly_hours:float, weekly_hours:float, overtime_hours:float, uncovered_caseload:int"
)


def iso_week(inputs: Inputs, site: str | None) -> str:
    """The ISO week containing T, at ``site``."""
    return week_label(inputs.today_at(site))


def addon_minutes(inputs: Inputs, weeks: dict[str, str]) -> Counter[str]:
    """Add-on minutes per officer in that officer's week of T (retracted tasks subtracted)."""
    minutes: Counter[str] = Counter()
    wanted = set(weeks.values())
    if not wanted:
        return minutes
    sql, params = where(inputs.view)
    marks = ",".join("?" * len(wanted))
    inputs.cursor.execute(
        f"SELECT officer, week, SUM(minutes) FROM {inputs.db.table('cl_addons')} WHERE week IN ({marks}){sql} GROUP BY officer, week",
        [*sorted(wanted), *params],
    )
    for officer, week, total in inputs.cursor.fetchall():
        if weeks.get(officer) == week:
            minutes[officer] += int(total)
    for officer, _site, week, _category, task_minutes in retracted_addons(inputs.cursor, inputs.db, inputs.view, inputs.gone):
        if weeks.get(officer) == week:
            minutes[officer] -= int(task_minutes)
    return minutes


@dataclass(frozen=True)
class OfficerLoad:
    """One officer's exact (unrounded) workload at T."""

    officer: OfficerInfo
    own: int
    covered: int
    effective: int
    standard: int | None
    weighted: Fraction
    case_hours: Fraction
    addon_minutes: int
    estimated: Fraction
    uncovered: int


def assess(inputs: Inputs, only: str | None = None) -> list[OfficerLoad]:
    """Every registered officer's workload at T (or just officer ``only``'s), exact, in officer order."""
    world, rules = inputs.world, inputs.rules
    own: Counter[str] = Counter()
    by_factors: Counter[tuple[str, int]] = Counter()
    for case in inputs.counted_cases():
        if case.officer is not None:
            own[case.officer] += 1
            by_factors[(case.officer, len(case.factors))] += 1
    weight: dict[str, Fraction] = {}
    for (holder, factors), count in by_factors.items():  # summed per factor count: exact, and few Fractions
        weight[holder] = weight.get(holder, Fraction(0)) + count * rules.multiplier(factors)
    chosen = [o for o in world.officers.values() if only is None or o.officer == only]
    weeks = {officer.officer: iso_week(inputs, officer.site) for officer in chosen}
    minutes = addon_minutes(inputs, weeks)
    covers: dict[str, list[OfficerInfo]] = {}
    for absent in world.officers.values():
        if absent.on_leave:
            for coverer in absent.covered_by:
                covers.setdefault(coverer, []).append(absent)
    loads = []
    for officer in sorted(chosen, key=lambda o: o.officer):
        covering = covers.get(officer.officer, [])
        covered = sum(own[absent.officer] for absent in covering)
        weighted = sum((weight.get(absent.officer, Fraction(0)) for absent in covering), Fraction(0))
        if not officer.on_leave:
            weighted += weight.get(officer.officer, Fraction(0))
        site = world.sites.get(officer.site)
        case_hours = rules.case_hours(officer.role) * weighted
        loads.append(
            OfficerLoad(
                officer=officer,
                own=own[officer.officer],
                covered=covered,
                effective=(0 if officer.on_leave else own[officer.officer]) + covered,
                standard=rules.ratio(site.kind, site.security_levels) if site is not None else None,
                weighted=weighted,
                case_hours=case_hours,
                addon_minutes=minutes[officer.officer],
                estimated=case_hours + Fraction(minutes[officer.officer], 60),
                uncovered=own[officer.officer] if officer.on_leave and not officer.covered_by else 0,
            )
        )
    return loads


def compute(inputs: Inputs) -> list[dict[str, Any]]:
    return [
        {
            "officer": load.officer.officer,
            "site": load.officer.site,
            "role": load.officer.role,
            "on_leave": load.officer.on_leave,
            "own_caseload": load.own,
            "covered_caseload": load.covered,
            "effective_caseload": load.effective,
            "ratio_standard": load.standard,
            "ratio_utilization": rounded(Fraction(load.effective, load.standard), 3) if load.standard else None,
            "weighted_caseload": float(load.weighted),
            "case_hours": rounded(load.case_hours, 2),
            "addon_minutes_week": load.addon_minutes,
            "estimated_weekly_hours": rounded(load.estimated, 2),
            "weekly_hours": float(load.officer.weekly_hours),
            "overtime_hours": rounded(max(Fraction(0), load.estimated - load.officer.weekly_hours), 2),
            "uncovered_caseload": load.uncovered,
        }
        for load in assess(inputs)
    ]
