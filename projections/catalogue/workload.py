"""workload — one row per registered officer at T: caseload against the ratio, hours against the week."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from caseledger.domain.model.times import iso_week as week_label
from caseledger.projections.readmodels.tables import AddOnModel, AddOnTotals
from caseledger.projections.replay.addons import tasks_in_weeks
from caseledger.projections.replay.caseloads import Caseloads, weighted
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


def addon_minutes(inputs: Inputs, weeks: dict[str, str], *, only: Collection[str] | None = None) -> Counter[str]:
    """Add-on minutes per officer in that officer's week of T (retracted tasks subtracted): for
    every officer at "now" from the add-on totals, else from the tasks inside the cut (checked
    against the totals of their weeks: :mod:`caseledger.projections.replay.addons`); for officers
    ``only`` when given (then read through the tasks' (officer, week) index)."""
    minutes: Counter[str] = Counter()
    wanted = set(weeks.values())
    if not wanted:
        return minutes
    view, db = inputs.view, inputs.db
    every_task = view.as_of is None and view.known_at is None and only is None and AddOnTotals(db).current(inputs.cursor)
    sql, params = ("", []) if every_task else where(view)
    if only is not None:
        cloaked = [AddOnModel().sealed(db).param("officer", officer) for officer in sorted(only)]
        sql, params = f"{sql} AND officer IN ({','.join('?' * len(only))})", [*params, *cloaked]
    condition, values = f"week IN ({','.join('?' * len(wanted))}){sql}", [*sorted(wanted), *params]
    if every_task:  # the totals, by week through their week index
        rows: Iterable[tuple[Any, ...]] = (
            (officer, week, total)
            for officer, _site, week, _category, total in AddOnTotals(db).sealed.select(inputs.cursor, condition, values, within=wanted.__contains__)
        )
    elif only is None:  # every officer at a cut: T's weeks' tasks, checked against their totals
        week_sql = f"week IN ({','.join('?' * len(wanted))})"
        rows = ((officer, week, task) for officer, _site, week, _category, task in tasks_in_weeks(inputs, week_sql, sorted(wanted), wanted.__contains__))
    else:
        rows = (
            (officer, week, task)
            for _position, officer, _site, week, _category, task, *_times in AddOnModel()
            .sealed(db)
            .select(inputs.cursor, condition, values, within=wanted.__contains__)
        )
    for officer, week, total in rows:  # each row checked against its MAC: summed here, not in SQL
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


def assess(inputs: Inputs, only: Collection[str] | None = None) -> list[OfficerLoad]:
    """Every registered officer's workload at T (or just those of officers ``only``), exact, in officer order."""
    world, rules = inputs.world, inputs.rules
    caseloads = Caseloads(inputs.cut, only)
    chosen = [o for o in world.officers.values() if only is None or o.officer in only]
    weeks = {officer.officer: iso_week(inputs, officer.site) for officer in chosen}
    minutes = addon_minutes(inputs, weeks, only=only)
    loads = []
    for officer in sorted(chosen, key=lambda o: o.officer):
        own = caseloads.count(officer.officer)
        covered = sum(caseloads.count(absent.officer) for absent in caseloads.covers.get(officer.officer, []))
        weight = weighted(rules, caseloads.effective(officer))
        site = world.sites.get(officer.site)
        case_hours = rules.case_hours(officer.role) * weight
        loads.append(
            OfficerLoad(
                officer=officer,
                own=own,
                covered=covered,
                effective=(0 if officer.on_leave else own) + covered,
                standard=rules.ratio(site.kind, site.security_levels) if site is not None else None,
                weighted=weight,
                case_hours=case_hours,
                addon_minutes=minutes[officer.officer],
                estimated=case_hours + Fraction(minutes[officer.officer], 60),
                uncovered=own if officer.on_leave and not officer.covered_by else 0,
            )
        )
    return loads


def compute(inputs: Inputs, only: Collection[str] | None = None) -> list[dict[str, Any]]:
    """The rows of every officer (or of officers ``only``)."""
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
        for load in assess(inputs, only)
    ]
