"""deadlines — one row per deadline instance, with its due date and its status at T.

The world keeps every instance the events opened and how each closed (see
:mod:`caseledger.projections.replay.world`); this module adds what needs the rules and T (the
specification's "Deadlines"):

* ``due_on`` — the anchor plus the rule's days, counted on the calendar of the instance's site
  (:mod:`caseledger.projections.rules.deadlines`);
* ``status`` — ``met`` (completed on or before the due date), ``late`` (completed after it),
  ``superseded``, ``moot``, or, while open, ``overdue`` (due before T's date at the site),
  ``due_soon`` (0 ≤ due − T's date ≤ ``due_soon_days``) or ``open``. The warrant's expiry makes an
  instance moot too: one still open, or closed, after the expiry date (a completion after it does
  not count);
* ``days_late`` — completion (late) or T's date (overdue) minus the due date, else null;
* ``officer`` — the case's assignment at T while open; the one in force just before the closing
  event once closed (for an instance made moot by the warrant's expiry, the one in force at the
  expiry: the world closes it so before the case's next event, and with no event since, the
  assignment at T is that one).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from caseledger.projections.replay.inputs import BASE_TYPES, Inputs, columns, days
from caseledger.projections.replay.world import Due, World
from caseledger.projections.rules import Rules
from caseledger.projections.rules.deadlines import due_on

NAME = "deadlines"
EVENT_TYPES = BASE_TYPES | {
    "HearingScheduled",
    "SIUPlacementStarted",
    "SIUReviewHeld",
    "SIUPlacementEnded",
    "ReleasePlanStarted",
    "ReleasePlanStep",
    "CaseTaskCompleted",
}
"""The timeline event types this projection reads (the rest are not loaded)."""
COLUMNS = columns("offender:str, officer:str, site:str, deadline:str, opened_on:date, due_on:date, completed_on:date, status:str, days_late:int, source:str")
COMPLETING: dict[str, tuple[str, dict[str, str]]] = {
    "preliminary_assessment": ("CaseTaskCompleted", {"task": "preliminary_assessment"}),
    "correctional_plan": ("CaseTaskCompleted", {"task": "correctional_plan"}),
    "release_plan_start": ("ReleasePlanStarted", {}),
    "board_information": ("ReleasePlanStep", {"step": "assessment_for_decision_submitted"}),
    "siu_first_review": ("SIUReviewHeld", {"level": "institutional_head"}),
    "siu_commissioner_review": ("SIUReviewHeld", {"level": "commissioner"}),
    "transfer_decision": ("TransferCompleted", {}),
}
"""The entry that completes each deadline (event type and the field values that make it count),
as :mod:`caseledger.projections.replay.world` applies them: what the Due screen's record key opens."""
OPEN_STATUSES = ("overdue", "due_soon", "open")
"""The statuses of an instance still to be done, most urgent first."""


@dataclass(frozen=True)
class Reading:
    """One instance read at T."""

    due: Due
    due_on: dt.date
    completed_on: dt.date | None
    status: str
    days_late: int | None
    officer: str | None


def read(world: World, rules: Rules, due: Due, today: dt.date) -> Reading:
    """``due`` at T (``today`` is T's date at its site) under ``rules``."""
    site = world.sites.get(due.site or "")
    rule = rules.deadline(due.deadline)
    when = due_on(rule, due.anchor_on, long_sentence=due.long_sentence, calendar=rules.working_days(site.province if site else None))
    case = world.cases.get(due.offender)
    expiry, officer_now = (case.warrant_expiry, case.officer) if case is not None else (None, None)
    closed_on, closed_as = due.closed_on, due.closed_as
    if expiry is not None and (closed_on or today) > expiry and closed_as != "moot":
        return Reading(due, when, None, "moot", None, due.officer if closed_as is not None else officer_now)
    if closed_as == "completed":
        assert closed_on is not None
        late = days(closed_on, when) or 0
        return Reading(due, when, closed_on, "late" if late > 0 else "met", late if late > 0 else None, due.officer)
    if closed_as is not None:
        return Reading(due, when, None, closed_as, None, due.officer)
    if when < today:
        return Reading(due, when, None, "overdue", days(today, when), officer_now)
    return Reading(due, when, None, "due_soon" if (when - today).days <= rules.due_soon_days else "open", None, officer_now)


def row(reading: Reading, rules: Rules) -> dict[str, Any]:
    due = reading.due
    return {
        "offender": due.offender,
        "officer": reading.officer,
        "site": due.site,
        "deadline": due.deadline,
        "opened_on": due.opened_on,
        "due_on": reading.due_on,
        "completed_on": reading.completed_on,
        "status": reading.status,
        "days_late": reading.days_late,
        "source": rules.deadline(due.deadline).source,
    }


def compute(inputs: Inputs) -> list[dict[str, Any]]:
    world, rules = inputs.world, inputs.rules
    rows = [row(read(world, rules, due, inputs.today_at(due.site)), rules) for due in world.deadlines]
    rows.sort(key=lambda r: (r["offender"], r["deadline"], r["opened_on"]))
    return rows


def overdue_carried(inputs: Inputs) -> list[dict[str, Any]]:
    """How many deadlines are overdue at T on the cases each officer carries — their own, and
    those of absent colleagues on leave whom they cover (each covering officer carries the whole
    caseload, as in workload) — so the Site screen's count is what each officer's Due list shows;
    and of their own cases alone (``own_overdue``), which a site's total sums to count each once."""
    world = inputs.world
    counts: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for case in world.cases.values():
        if case.officer is None:
            continue
        overdue = sum(1 for index in case.open_deadlines if _status(inputs, world.deadlines[index]) == "overdue")
        if overdue:
            own[case.officer] += overdue
            absent = world.officers.get(case.officer)
            for carrier in {case.officer} | (absent.covered_by if absent is not None and absent.on_leave else set()):
                counts[carrier] += overdue
    return [{"officer": officer, "overdue": count, "own_overdue": own[officer]} for officer, count in sorted(counts.items())]


def _status(inputs: Inputs, due: Due) -> str:
    return read(inputs.world, inputs.rules, due, inputs.today_at(due.site)).status


def open_for(inputs: Inputs, officers: set[str]) -> list[Reading]:
    """The open instances (overdue, due soon, open) of the cases ``officers`` carry at T: overdue
    first, then by due date (what the officer's Due screen and alerts show)."""
    world = inputs.world
    found = []
    for case in world.cases.values():
        if case.officer in officers:
            for index in case.open_deadlines:
                due = world.deadlines[index]
                reading = read(world, inputs.rules, due, inputs.today_at(due.site))
                if reading.status in OPEN_STATUSES:
                    found.append(reading)
    found.sort(key=lambda r: (r.status != "overdue", r.due_on, r.due.offender, r.due.deadline))
    return found
