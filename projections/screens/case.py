"""What the Case file shows above its events: one case's state at a cut — whose it is, where the
offender is, the release plan's start, the SIU stay and transfer requests it is in the middle of,
its complexity factors and its open deadlines.

Read from the world every projection reads (:func:`~caseledger.projections.replay.snapshots.Snapshots.world_at`:
the newest valid snapshot and the facts since, inside the cut's ``as_of`` and ``known_at``, the
retractions known at ``known_at`` applied), with the deadlines read at T exactly as the
``deadlines`` projection and the Due screen read them
(:func:`~caseledger.projections.catalogue.deadlines.read`). Nothing is replayed here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from caseledger.projections.catalogue.deadlines import OPEN_STATUSES, read
from caseledger.projections.engine.projector import Projector
from caseledger.projections.replay.facts import View, retracted
from caseledger.projections.replay.inputs import Inputs
from caseledger.projections.rules import Rules


@dataclass(frozen=True)
class OpenDeadline:
    """A deadline of the case still to be done at T."""

    deadline: str
    status: str
    """``overdue``, ``due_soon`` or ``open``."""
    due_on: dt.date
    days_left: int
    """Due date − T's date at the instance's site (negative: overdue by that many days)."""


@dataclass(frozen=True)
class SiuStay:
    """The SIU stay the offender is in at T."""

    site: str | None
    started_on: dt.date
    days: int
    """T's date − the placement's date."""
    reviews: int


@dataclass(frozen=True)
class PendingTransfer:
    """A transfer requested and neither completed nor cancelled at T."""

    to_site: str
    kind: str
    requested_on: dt.date


@dataclass(frozen=True)
class CaseAt:
    """One case at a cut, as the projections see it (``admitted`` False: the cut holds no
    admission of it, and every other field is empty)."""

    offender: str
    admitted: bool
    today: dt.date
    """T's local date where the case is."""
    officer: str | None = None
    location: str | None = None
    """The site the offender is at (None: released with no destination site)."""
    location_kind: str | None = None
    """The location's kind: ``institution``, ``community_office`` or ``ccc``."""
    last_site: str | None = None
    warrant_expiry: dt.date | None = None
    factors: tuple[str, ...] = ()
    plan_started_on: dt.date | None = None
    stay: SiuStay | None = None
    transfers: tuple[PendingTransfer, ...] = ()
    deadlines: tuple[OpenDeadline, ...] = ()

    @property
    def in_custody(self) -> bool:
        """At an institution (else released: to a community office, a CCC, or no site)."""
        return self.location_kind == "institution"

    @property
    def warrant_expired(self) -> bool:
        """T's date is after the warrant expiry: the offender is in no caseload and no site count."""
        return self.warrant_expiry is not None and self.today > self.warrant_expiry


def case_at(projector: Projector, rules: Rules, view: View, offender: str) -> CaseAt:
    """``offender``'s case at ``view`` (the read models caught up by the caller)."""
    db = projector.db
    with db.transaction(write=False) as cursor:
        gone = retracted(cursor, db, view)
        world = projector.snapshots.world_at(cursor, view, gone)
        inputs = Inputs(world, view, rules, cursor, db, gone)
        case = world.cases.get(offender)
        if case is None:
            return CaseAt(offender, admitted=False, today=inputs.today_at(None))
        today = inputs.today_at(case.where)
        deadlines = []
        for index in case.open_deadlines:
            due = world.deadlines[index]
            at_site = inputs.today_at(due.site)
            reading = read(world, rules, due, at_site)
            if reading.status in OPEN_STATUSES:
                deadlines.append(OpenDeadline(due.deadline, reading.status, reading.due_on, (reading.due_on - at_site).days))
        deadlines.sort(key=lambda found: (found.status != "overdue", found.due_on, found.deadline))
        stay = world.open_stay(case)
        site = world.sites.get(case.location) if case.location is not None else None
        return CaseAt(
            offender,
            admitted=True,
            today=today,
            officer=case.officer,
            location=case.location,
            location_kind=site.kind if site is not None else None,
            last_site=case.last_site,
            warrant_expiry=case.warrant_expiry,
            factors=case.factors,
            plan_started_on=case.plan.started_on if case.plan is not None else None,
            stay=SiuStay(stay.site, stay.started_on, (today - stay.started_on).days, stay.reviews) if stay is not None else None,
            transfers=tuple(
                PendingTransfer(request.to_site, request.kind, request.requested_on) for request in (world.transfers[index] for index in case.pending)
            ),
            deadlines=tuple(deadlines),
        )
