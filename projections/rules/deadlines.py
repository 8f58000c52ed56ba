"""The deadline rules (``[deadlines]`` of a rules file) and how a due date is counted.

A rule set gives each deadline its number of days, its calendar (``calendar`` days or
``working`` days) and its source; what opens, anchors and completes a deadline is the event
catalogue's, implemented in :mod:`caseledger.projections.replay.world`. The file still names them,
so it reads whole; a file that names anything else is refused rather than silently obeyed.

Working days are the federal ones of :mod:`caseledger.projections.rules.calendar` (the rule set's
``[calendar]``), less the ``closed_days`` listed here. "+ N working days" takes the anchor's date
as day 1 when it is a working day, else the next working day, and is due on day N (GL 711-1's
reading).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from caseledger.projections.rules.calendar import WorkingDays

Days = Annotated[int, msgspec.Meta(ge=-3650, le=3650)]


class DeadlineRule(msgspec.Struct, forbid_unknown_fields=True):
    opens_at: str
    anchor: str
    days: Days
    calendar: Literal["calendar", "working"]
    completed_by: str
    source: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    long_sentence_days: Days | None = None
    """``correctional_plan`` only: the days for a sentence longer than four years."""


class DeadlineRules(msgspec.Struct, forbid_unknown_fields=True):
    due_soon_days: Annotated[int, msgspec.Meta(ge=0, le=365)]
    closed_days: list[dt.date]
    preliminary_assessment: DeadlineRule
    correctional_plan: DeadlineRule
    release_plan_start: DeadlineRule
    board_information: DeadlineRule
    siu_first_review: DeadlineRule
    siu_commissioner_review: DeadlineRule
    transfer_decision: DeadlineRule


CATALOGUE: dict[str, tuple[str, str, str]] = {
    "preliminary_assessment": ("OffenderAdmitted", "sentence_start", "CaseTaskCompleted task=preliminary_assessment"),
    "correctional_plan": ("OffenderAdmitted", "admission date", "CaseTaskCompleted task=correctional_plan"),
    "release_plan_start": (
        "OffenderAdmitted",
        "earliest of day parole, full parole eligibility and statutory release after the admission date",
        "ReleasePlanStarted",
    ),
    "board_information": ("HearingScheduled", "hearing_date", "ReleasePlanStep step=assessment_for_decision_submitted"),
    "siu_first_review": ("SIUPlacementStarted", "placement date", "SIUReviewHeld level=institutional_head"),
    "siu_commissioner_review": ("SIUPlacementStarted", "placement date", "SIUReviewHeld level=commissioner"),
    "transfer_decision": ("TransferRequested kind=voluntary", "request date", "TransferCompleted or TransferCancelled"),
}
"""What opens each deadline, the date it counts from and what completes it (fixed by caseledger)."""


def catalogue_errors(rules: DeadlineRules) -> list[str]:
    """Each way ``rules`` departs from the catalogue or its own shape, as ``field: message``."""
    errors = []
    for name, fixed in CATALOGUE.items():
        rule: DeadlineRule = getattr(rules, name)
        for field, expected, found in zip(("opens_at", "anchor", "completed_by"), fixed, (rule.opens_at, rule.anchor, rule.completed_by), strict=True):
            if found != expected:
                errors.append(
                    f"deadlines.{name}.{field}: {found!r} is not what caseledger does ({expected!r}); "
                    "a rules file sets a deadline's days, calendar and source only"
                )
        for field, days in (("days", rule.days), ("long_sentence_days", rule.long_sentence_days)):
            if rule.calendar == "working" and days is not None and days < 1:
                errors.append(f"deadlines.{name}.{field}: working days count forward from the anchor (day 1): at least 1")
        if rule.long_sentence_days is not None and name != "correctional_plan":
            errors.append(f"deadlines.{name}.long_sentence_days: only the correctional plan depends on the sentence's length")
        if rule.long_sentence_days is None and name == "correctional_plan":
            errors.append(f"deadlines.{name}.long_sentence_days: needed: the days for a sentence longer than four years")
    return errors


def due_on(rule: DeadlineRule, anchor: dt.date, *, long_sentence: bool, calendar: WorkingDays) -> dt.date:
    """When an instance anchored on ``anchor`` is due under ``rule``."""
    days = rule.long_sentence_days if long_sentence and rule.long_sentence_days is not None else rule.days
    try:
        if rule.calendar == "working":
            return calendar.nth(anchor, days)
        return anchor + dt.timedelta(days=days)
    except OverflowError:  # an anchor at the calendar's edge (a hearing in year 1, a date in 9999)
        return dt.date.max if days > 0 else dt.date.min
