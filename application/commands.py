"""The application service: one method per command, each recorded as the current user.

Every command reads the aggregates it needs fresh from the store, validates, appends one event
and saves it in its own transaction. If another writer appended to the same aggregate first
(the store's ``(originator_id, originator_version)`` key rejects the second insert), the command
is re-run against the new state — up to :attr:`LedgerService.ATTEMPTS` times, with jittered
exponential backoff so racing writers fall out of lockstep — so it either
applies to what is really there or fails with :class:`~domain.errors.ConflictError`. No event is
ever lost or written twice.

The return value of every command is the new event's log position.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
from collections.abc import Callable, Sequence

from eventsourcing.persistence import IntegrityError

from caseledger.domain.errors import ConflictError, DomainError
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.recording import Entry, checked, record_entry
from caseledger.domain.model.times import parse_instant, utc_now
from caseledger.domain.model.views import StoreView
from caseledger.domain.store.application import LedgerApplication

When = dt.datetime | dt.date | str
"""``occurred_at`` as a datetime with offset, a local date, or ISO 8601 text of either."""


class LedgerService:
    """Records commands into the ledger as ``user``."""

    ATTEMPTS = 20

    def __init__(self, app: LedgerApplication, user: str, on_recorded: Callable[[int], None] | None = None) -> None:
        """``on_recorded(position)`` runs after each recorded command — the hook the read models use
        to update incrementally (``domain`` cannot import ``projections``; the caller wires them)."""
        self.app = app
        self.user = checked_actor(user)
        self.on_recorded = on_recorded

    def record(self, data: p.Payload, occurred_at: When, note: str | None = None) -> int:
        """Validate and record one event; return its log position."""
        data = checked(data)
        when = parse_instant(occurred_at, "occurred_at") if isinstance(occurred_at, str) else occurred_at
        entry = Entry(data, when, self.user, note)
        for attempt in range(self.ATTEMPTS):
            aggregate, event = record_entry(StoreView(self.app), entry, utc_now())
            aggregate.pending_events.append(event)  # saved through the aggregate, so snapshots are taken
            try:
                recordings = self.app.save(aggregate)
            except IntegrityError:
                time.sleep(random.uniform(0, min(0.25, 0.002 * 2**attempt)))  # jittered backoff breaks lockstep
                continue
            position = recordings[-1].notification.id
            if self.on_recorded is not None:
                self.on_recorded(position)
            return position
        raise ConflictError(f"{type(data).__name__}: the case kept changing under {self.ATTEMPTS} attempts; nothing was recorded")

    def register_site(
        self, site: str, name: str, kind: str, region: str, timezone: str, security_levels: Sequence[str] = (), *, occurred_at: When, note: str | None = None
    ) -> int:
        """Record ``SiteRegistered``."""
        return self.record(
            p.SiteRegistered(site=site, name=name, kind=kind, region=region, timezone=timezone, security_levels=list(security_levels)), occurred_at, note
        )

    def register_officer(self, officer: str, name: str, site: str, role: str, weekly_hours: float = 37.5, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``OfficerRegistered``."""
        return self.record(p.OfficerRegistered(officer=officer, name=name, site=site, role=role, weekly_hours=weekly_hours), occurred_at, note)

    def move_officer(self, officer: str, site: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``OfficerMoved``."""
        return self.record(p.OfficerMoved(officer=officer, site=site), occurred_at, note)

    def start_leave(self, officer: str, kind: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``LeaveStarted``."""
        return self.record(p.LeaveStarted(officer=officer, kind=kind), occurred_at, note)

    def end_leave(self, officer: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``LeaveEnded``."""
        return self.record(p.LeaveEnded(officer=officer), occurred_at, note)

    def start_coverage(self, officer: str, covering_officer: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``CoverageStarted``."""
        return self.record(p.CoverageStarted(officer=officer, covering_officer=covering_officer), occurred_at, note)

    def end_coverage(self, officer: str, covering_officer: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``CoverageEnded``."""
        return self.record(p.CoverageEnded(officer=officer, covering_officer=covering_officer), occurred_at, note)

    def log_addon_task(self, officer: str, category: str, minutes: int, offender: str | None = None, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``AddOnTaskLogged``."""
        return self.record(p.AddOnTaskLogged(officer=officer, category=category, minutes=minutes, offender=offender), occurred_at, note)

    def admit_offender(
        self,
        offender: str,
        site: str,
        security_level: str,
        sentence_start: dt.date,
        statutory_release: dt.date,
        warrant_expiry: dt.date,
        day_parole_eligibility: dt.date | None = None,
        full_parole_eligibility: dt.date | None = None,
        complexity: Sequence[str] = (),
        *,
        occurred_at: When,
        note: str | None = None,
    ) -> int:
        """Record ``OffenderAdmitted``."""
        return self.record(
            p.OffenderAdmitted(
                offender=offender,
                site=site,
                security_level=security_level,
                sentence_start=sentence_start,
                statutory_release=statutory_release,
                warrant_expiry=warrant_expiry,
                day_parole_eligibility=day_parole_eligibility,
                full_parole_eligibility=full_parole_eligibility,
                complexity=list(complexity),
            ),
            occurred_at,
            note,
        )

    def assign_case(self, offender: str, officer: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``CaseAssigned``."""
        return self.record(p.CaseAssigned(offender=offender, officer=officer), occurred_at, note)

    def change_security_level(self, offender: str, security_level: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``SecurityLevelChanged``."""
        return self.record(p.SecurityLevelChanged(offender=offender, security_level=security_level), occurred_at, note)

    def flag_complexity(self, offender: str, factor: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``ComplexityFlagged``."""
        return self.record(p.ComplexityFlagged(offender=offender, factor=factor), occurred_at, note)

    def clear_complexity(self, offender: str, factor: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``ComplexityCleared``."""
        return self.record(p.ComplexityCleared(offender=offender, factor=factor), occurred_at, note)

    def start_siu_placement(self, offender: str, reason: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``SIUPlacementStarted``."""
        return self.record(p.SIUPlacementStarted(offender=offender, reason=reason), occurred_at, note)

    def hold_siu_review(self, offender: str, level: str, outcome: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``SIUReviewHeld``."""
        return self.record(p.SIUReviewHeld(offender=offender, level=level, outcome=outcome), occurred_at, note)

    def end_siu_placement(self, offender: str, outcome: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``SIUPlacementEnded``."""
        return self.record(p.SIUPlacementEnded(offender=offender, outcome=outcome), occurred_at, note)

    def request_transfer(self, offender: str, to_site: str, kind: str, reason: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``TransferRequested``."""
        return self.record(p.TransferRequested(offender=offender, to_site=to_site, kind=kind, reason=reason), occurred_at, note)

    def complete_transfer(self, offender: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``TransferCompleted``."""
        return self.record(p.TransferCompleted(offender=offender), occurred_at, note)

    def cancel_transfer(self, offender: str, reason: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``TransferCancelled``."""
        return self.record(p.TransferCancelled(offender=offender, reason=reason), occurred_at, note)

    def start_release_plan(
        self, offender: str, release_type: str, destination: str, destination_site: str | None = None, *, occurred_at: When, note: str | None = None
    ) -> int:
        """Record ``ReleasePlanStarted``."""
        return self.record(
            p.ReleasePlanStarted(offender=offender, release_type=release_type, destination=destination, destination_site=destination_site), occurred_at, note
        )

    def record_release_plan_step(self, offender: str, step: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``ReleasePlanStep``."""
        return self.record(p.ReleasePlanStep(offender=offender, step=step), occurred_at, note)

    def schedule_hearing(self, offender: str, hearing_date: dt.date, review_type: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``HearingScheduled``."""
        return self.record(p.HearingScheduled(offender=offender, hearing_date=hearing_date, review_type=review_type), occurred_at, note)

    def record_release_decision(
        self, offender: str, decision: str, release_type: str, release_date: dt.date | None = None, *, occurred_at: When, note: str | None = None
    ) -> int:
        """Record ``ReleaseDecisionRecorded``."""
        return self.record(
            p.ReleaseDecisionRecorded(offender=offender, decision=decision, release_type=release_type, release_date=release_date), occurred_at, note
        )

    def release_offender(self, offender: str, release_type: str, destination_site: str | None = None, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``OffenderReleased``."""
        return self.record(p.OffenderReleased(offender=offender, release_type=release_type, destination_site=destination_site), occurred_at, note)

    def record_cclo_contact(
        self, offender: str, cclo: str, police_service: str, purpose: str, minutes: int, *, occurred_at: When, note: str | None = None
    ) -> int:
        """Record ``CcloContactRecorded``."""
        return self.record(
            p.CcloContactRecorded(offender=offender, cclo=cclo, police_service=police_service, purpose=purpose, minutes=minutes), occurred_at, note
        )

    def issue_warrant(self, offender: str, reason: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``WarrantIssued``."""
        return self.record(p.WarrantIssued(offender=offender, reason=reason), occurred_at, note)

    def record_apprehension(self, offender: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``OffenderApprehended``."""
        return self.record(p.OffenderApprehended(offender=offender), occurred_at, note)

    def retract(self, position: int, reason: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``EventRetracted``: the event at ``position`` no longer counts in projections."""
        return self.record(p.EventRetracted(position=position, reason=reason), occurred_at, note)


def checked_actor(user: str) -> str:
    """A user id must be an identifier like every other id in the ledger."""
    if not re.fullmatch(p.IDENTIFIER_PATTERN, user):
        raise DomainError("by", f"user id {user!r} must match {p.IDENTIFIER_PATTERN}")
    return user
