"""A case's state at a cut, as the Case file shows it above the events: what the projections
compute for the case (:mod:`caseledger.projections.screens.case`) and the current release plan's
details, which the world keeps no copy of (its type, destination and last step: read from the
case's own history inside the same cut, :mod:`caseledger.application.history`).

An auditor asks "what did the system show about this case on date R": the cut is ``known_at`` R
with T = R too unless an as-of is given (the state at R as known at R; a back-dated entry
recorded after R is not in it), and T = now when neither is given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from caseledger.application.history import HistoryLine
from caseledger.domain.events.catalogue import ReleasePlanStarted, ReleasePlanStep
from caseledger.domain.model.times import Cutoff
from caseledger.projections.screens.case import CaseAt


@dataclass(frozen=True)
class PlanShown:
    """The current release plan: the latest plan started (not retracted) and its latest step."""

    release_type: str
    destination: str
    """Free text, as typed (escape it before a terminal)."""
    destination_site: str | None
    started_on: dt.date
    last_step: str | None = None
    last_step_on: dt.date | None = None


@dataclass(frozen=True)
class CaseState:
    """One case at a cut: the projections' state of it and its plan's details."""

    case: CaseAt
    plan: PlanShown | None
    as_of: Cutoff | None
    """T (None: now)."""
    known_at: Cutoff | None
    """R (None: everything recorded)."""


def cut_of(as_of: Cutoff | None, known_at: Cutoff | None) -> Cutoff | None:
    """T for the state "as known at R": the as-of when one is given, else R itself."""
    return as_of if as_of is not None else known_at


def plan_of(lines: list[HistoryLine]) -> PlanShown | None:
    """The current plan in a case history (in occurred order): the latest ``ReleasePlanStarted``
    not retracted, with the latest step (not retracted) after it."""
    plan: PlanShown | None = None
    for line in lines:
        if line.retracted_by is not None:
            continue
        data = line.event.envelope.data
        if isinstance(data, ReleasePlanStarted):
            plan = PlanShown(data.release_type, data.destination, data.destination_site, line.occurred_local.date())
        elif isinstance(data, ReleasePlanStep) and plan is not None:
            plan = replace(plan, last_step=data.step, last_step_on=line.occurred_local.date())
    return plan


def case_state(case: CaseAt, lines: list[HistoryLine], as_of: Cutoff | None, known_at: Cutoff | None) -> CaseState:
    """``case`` with its plan's details from ``lines``, its history inside the same cut (a plan
    only where the projections see one)."""
    return CaseState(case, plan_of(lines) if case.plan_started_on is not None else None, as_of, known_at)
