"""The event catalogue: one msgspec Struct per event type, holding that event's own fields.

These Structs are the single definition of every event's shape. They are used three ways:
decoding an interchange (JSON Lines) line, as the ``data`` of a stored domain event, and
encoding the raw log back out. The constraints that the specification states as *shape*
rules (identifier pattern, enumerations, minutes 1–720, dates, text length) live here as
type annotations, so msgspec enforces them on every decode and names the offending field.
Rules that need the ledger's state (unknown or duplicate ids, transfer to the current site…)
live in :mod:`caseledger.domain.model.validation`.

Adding a field to an event later needs a default (old stored events lack it); renaming or
removing one needs an upcast in :mod:`caseledger.domain.store.mapper`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

IDENTIFIER_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"

Identifier = Annotated[str, msgspec.Meta(pattern=IDENTIFIER_PATTERN)]
"""Site, officer, offender and liaison-officer ids: ``^[A-Za-z0-9._-]{1,64}$``."""

ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
"""Names, destinations, police services, review types."""

LongText = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
"""Reasons and notes (the interchange limit for ``note`` is 2000 characters)."""

Minutes = Annotated[int, msgspec.Meta(ge=1, le=720)]
"""Minutes of an add-on task or a CCLO contact: 1 to 720 (twelve hours)."""

WeeklyHours = Annotated[float, msgspec.Meta(gt=0, le=80)]
"""An officer's contracted weekly hours (37.5 by default)."""

Position = Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]
"""A log position: stores keep them as signed 64-bit integers."""
"""A global log position (the notification id)."""

SiteKind = Literal["institution", "community_office", "ccc"]
Region = Literal["atlantic", "quebec", "ontario", "prairies", "pacific"]
SecurityLevel = Literal["minimum", "medium", "maximum"]
Role = Literal["institutional_po", "community_po", "ccc_po", "mai", "po_supervisor"]
LeaveKind = Literal["annual", "sick", "secondment", "training", "other"]
AddOnCategory = Literal[
    "travel_logistics",
    "scanning_faxing",
    "unwarranted_case_review",
    "vehicle_maintenance",
    "non_case_email",
    "clerical",
    "other",
]
SIUReviewLevel = Literal["institutional_head", "commissioner", "iedm"]
SIUReviewOutcome = Literal["maintain", "remove"]
SIUEndOutcome = Literal["mainstream", "transfer", "release", "other"]
TransferKind = Literal["voluntary", "involuntary", "emergency"]
ReleaseType = Literal["day_parole", "full_parole", "statutory_release", "warrant_expiry"]
ReleasePlanStepName = Literal[
    "community_assessment_requested",
    "community_assessment_received",
    "assessment_for_decision_submitted",
    "housing_secured",
    "travel_booked",
]
"""In the order the process takes them (forms list them so)."""
Decision = Literal["granted", "denied", "postponed", "withdrawn"]
CcloPurpose = Literal["information_sharing", "joint_home_visit", "warrant_execution", "apprehension", "risk_consultation"]
WarrantReason = Literal["breach", "ual"]
Province = Literal["NL", "PE", "NS", "NB", "QC", "ON", "MB", "SK", "AB", "BC", "YT", "NT", "NU"]
"""A site's province or territory: it picks the holiday calendar of its working days."""
CaseTask = Literal["preliminary_assessment", "correctional_plan"]
"""The case tasks whose deadlines no other event completes."""
AccessRole = Literal["officer", "supervisor", "auditor", "analyst", "admin"]
"""Who may do what (the specification's "Who may do what"); not an officer's job (:data:`Role`)."""


class Payload(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    """Base of every event's fields. Frozen: a recorded event never changes.

    Required fields come first in every subclass, so payloads can be built positionally from a
    decoded interchange line (see :mod:`caseledger.application.interchange`), which is measurably faster.
    """


class SiteRegistered(Payload, frozen=True):
    site: Identifier
    name: ShortText
    kind: SiteKind
    region: Region
    timezone: ShortText
    security_levels: list[SecurityLevel] = []
    province: Province | None = None


class OfficerRegistered(Payload, frozen=True):
    officer: Identifier
    name: ShortText
    site: Identifier
    role: Role
    weekly_hours: WeeklyHours = 37.5


class OfficerMoved(Payload, frozen=True):
    officer: Identifier
    site: Identifier


class LeaveStarted(Payload, frozen=True):
    officer: Identifier
    kind: LeaveKind


class LeaveEnded(Payload, frozen=True):
    officer: Identifier


class CoverageStarted(Payload, frozen=True):
    officer: Identifier
    covering_officer: Identifier


class CoverageEnded(Payload, frozen=True):
    officer: Identifier
    covering_officer: Identifier


class AddOnTaskLogged(Payload, frozen=True):
    officer: Identifier
    category: AddOnCategory
    minutes: Minutes
    offender: Identifier | None = None


class OffenderAdmitted(Payload, frozen=True):
    offender: Identifier
    site: Identifier
    security_level: SecurityLevel
    sentence_start: dt.date
    statutory_release: dt.date
    warrant_expiry: dt.date
    day_parole_eligibility: dt.date | None = None
    full_parole_eligibility: dt.date | None = None
    complexity: list[Identifier] = []


class CaseAssigned(Payload, frozen=True):
    offender: Identifier
    officer: Identifier


class SecurityLevelChanged(Payload, frozen=True):
    offender: Identifier
    security_level: SecurityLevel


class ComplexityFlagged(Payload, frozen=True):
    offender: Identifier
    factor: Identifier


class ComplexityCleared(Payload, frozen=True):
    offender: Identifier
    factor: Identifier


class SIUPlacementStarted(Payload, frozen=True):
    offender: Identifier
    reason: LongText


class SIUReviewHeld(Payload, frozen=True):
    offender: Identifier
    level: SIUReviewLevel
    outcome: SIUReviewOutcome


class SIUPlacementEnded(Payload, frozen=True):
    offender: Identifier
    outcome: SIUEndOutcome


class TransferRequested(Payload, frozen=True):
    offender: Identifier
    to_site: Identifier
    kind: TransferKind
    reason: LongText


class TransferCompleted(Payload, frozen=True):
    offender: Identifier


class TransferCancelled(Payload, frozen=True):
    offender: Identifier
    reason: LongText


class ReleasePlanStarted(Payload, frozen=True):
    offender: Identifier
    release_type: ReleaseType
    destination: ShortText
    destination_site: Identifier | None = None


class ReleasePlanStep(Payload, frozen=True):
    offender: Identifier
    step: ReleasePlanStepName


class HearingScheduled(Payload, frozen=True):
    offender: Identifier
    hearing_date: dt.date
    review_type: ShortText


class ReleaseDecisionRecorded(Payload, frozen=True):
    offender: Identifier
    decision: Decision
    release_type: ReleaseType
    release_date: dt.date | None = None


class OffenderReleased(Payload, frozen=True):
    offender: Identifier
    release_type: ReleaseType
    destination_site: Identifier | None = None


class CcloContactRecorded(Payload, frozen=True):
    offender: Identifier
    cclo: Identifier
    police_service: ShortText
    purpose: CcloPurpose
    minutes: Minutes


class CaseTaskCompleted(Payload, frozen=True):
    """Completes a deadline that no other event completes (see the deadlines projection)."""

    offender: Identifier
    task: CaseTask


class WarrantIssued(Payload, frozen=True):
    offender: Identifier
    reason: WarrantReason


class OffenderApprehended(Payload, frozen=True):
    offender: Identifier


class UserLinked(Payload, frozen=True):
    """The login ``user`` is officer ``officer`` (their screens open on that officer's week)."""

    user: Identifier
    officer: Identifier


class RoleGranted(Payload, frozen=True):
    """``user`` may now act as ``role`` — a supervisor for one ``site``."""

    user: Identifier
    role: AccessRole
    site: Identifier | None = None


class RoleRevoked(Payload, frozen=True):
    user: Identifier
    role: AccessRole
    site: Identifier | None = None


class EventRetracted(Payload, frozen=True):
    position: Position
    reason: LongText


PAYLOAD_TYPES: dict[str, type[Payload]] = {cls.__name__: cls for cls in Payload.__subclasses__()}
"""Every event type by its interchange name (which is also its stored topic)."""
