"""Typed shortcuts for recording each event type, for tests and benchmarks.

The product records through :meth:`LedgerService.record` with a payload (the TUI's forms and the
importer build payloads from the catalogue); scripts that set up worlds read better with one
method per event type, so those live here, beside the tests, and do not ship.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import overload

from caseledger.application.commands import LedgerService, When
from caseledger.domain.events import catalogue as p

Day = dt.date | str
"""A date, or its ISO 8601 text (``"2026-01-05"``) as a script types it."""


@overload
def day(value: Day) -> dt.date: ...
@overload
def day(value: Day | None) -> dt.date | None: ...
def day(value: Day | None) -> dt.date | None:
    """``value`` as a date (ISO 8601 text is read as one)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


class ScriptedService(LedgerService):
    """A :class:`LedgerService` with one method per event type."""

    def grant(self, user: str, role: p.AccessRole, site: str | None = None, *, occurred_at: When = "2026-01-05") -> int:
        """Record ``RoleGranted`` (the service's user must be an admin)."""
        return self.record(p.RoleGranted(user=user, role=role, site=site), occurred_at)

    def link(self, user: str, officer: str, *, occurred_at: When = "2026-01-05") -> int:
        """Record ``UserLinked``."""
        return self.record(p.UserLinked(user=user, officer=officer), occurred_at)

    def register_site(
        self,
        site: str,
        name: str,
        kind: p.SiteKind,
        region: p.Region,
        timezone: str,
        *,
        security_levels: Sequence[p.SecurityLevel] = (),
        occurred_at: When,
        note: str | None = None,
    ) -> int:
        """Record ``SiteRegistered``."""
        return self.record(
            p.SiteRegistered(site=site, name=name, kind=kind, region=region, timezone=timezone, security_levels=list(security_levels)), occurred_at, note
        )

    def register_officer(
        self, officer: str, name: str, site: str, role: p.Role, weekly_hours: float = 37.5, *, occurred_at: When, note: str | None = None
    ) -> int:
        """Record ``OfficerRegistered``."""
        return self.record(p.OfficerRegistered(officer=officer, name=name, site=site, role=role, weekly_hours=weekly_hours), occurred_at, note)

    def move_officer(self, officer: str, site: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``OfficerMoved``."""
        return self.record(p.OfficerMoved(officer=officer, site=site), occurred_at, note)

    def start_leave(self, officer: str, kind: p.LeaveKind, *, occurred_at: When, note: str | None = None) -> int:
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

    def log_addon_task(
        self, officer: str, category: p.AddOnCategory, minutes: int, offender: str | None = None, *, occurred_at: When, note: str | None = None
    ) -> int:
        """Record ``AddOnTaskLogged``."""
        return self.record(p.AddOnTaskLogged(officer=officer, category=category, minutes=minutes, offender=offender), occurred_at, note)

    def admit_offender(
        self,
        offender: str,
        site: str,
        security_level: p.SecurityLevel,
        sentence_start: Day,
        statutory_release: Day,
        *,
        warrant_expiry: Day,
        day_parole_eligibility: Day | None = None,
        full_parole_eligibility: Day | None = None,
        complexity: Sequence[str] = (),
        occurred_at: When,
        note: str | None = None,
    ) -> int:
        """Record ``OffenderAdmitted``."""
        return self.record(
            p.OffenderAdmitted(
                offender=offender,
                site=site,
                security_level=security_level,
                sentence_start=day(sentence_start),
                statutory_release=day(statutory_release),
                warrant_expiry=day(warrant_expiry),
                day_parole_eligibility=day(day_parole_eligibility),
                full_parole_eligibility=day(full_parole_eligibility),
                complexity=list(complexity),
            ),
            occurred_at,
            note,
        )

    def assign_case(self, offender: str, officer: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``CaseAssigned``."""
        return self.record(p.CaseAssigned(offender=offender, officer=officer), occurred_at, note)

    def change_security_level(self, offender: str, security_level: p.SecurityLevel, *, occurred_at: When, note: str | None = None) -> int:
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

    def hold_siu_review(self, offender: str, level: p.SIUReviewLevel, outcome: p.SIUReviewOutcome, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``SIUReviewHeld``."""
        return self.record(p.SIUReviewHeld(offender=offender, level=level, outcome=outcome), occurred_at, note)

    def end_siu_placement(self, offender: str, outcome: p.SIUEndOutcome, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``SIUPlacementEnded``."""
        return self.record(p.SIUPlacementEnded(offender=offender, outcome=outcome), occurred_at, note)

    def request_transfer(self, offender: str, to_site: str, kind: p.TransferKind, reason: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``TransferRequested``."""
        return self.record(p.TransferRequested(offender=offender, to_site=to_site, kind=kind, reason=reason), occurred_at, note)

    def complete_transfer(self, offender: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``TransferCompleted``."""
        return self.record(p.TransferCompleted(offender=offender), occurred_at, note)

    def cancel_transfer(self, offender: str, reason: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``TransferCancelled``."""
        return self.record(p.TransferCancelled(offender=offender, reason=reason), occurred_at, note)

    def start_release_plan(
        self, offender: str, release_type: p.ReleaseType, destination: str, destination_site: str | None = None, *, occurred_at: When, note: str | None = None
    ) -> int:
        """Record ``ReleasePlanStarted``."""
        return self.record(
            p.ReleasePlanStarted(offender=offender, release_type=release_type, destination=destination, destination_site=destination_site), occurred_at, note
        )

    def record_release_plan_step(self, offender: str, step: p.ReleasePlanStepName, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``ReleasePlanStep``."""
        return self.record(p.ReleasePlanStep(offender=offender, step=step), occurred_at, note)

    def schedule_hearing(self, offender: str, hearing_date: Day, review_type: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``HearingScheduled``."""
        return self.record(p.HearingScheduled(offender=offender, hearing_date=day(hearing_date), review_type=review_type), occurred_at, note)

    def record_release_decision(
        self, offender: str, decision: p.Decision, release_type: p.ReleaseType, release_date: Day | None = None, *, occurred_at: When, note: str | None = None
    ) -> int:
        """Record ``ReleaseDecisionRecorded``."""
        return self.record(
            p.ReleaseDecisionRecorded(offender=offender, decision=decision, release_type=release_type, release_date=day(release_date)), occurred_at, note
        )

    def release_offender(
        self, offender: str, release_type: p.ReleaseType, destination_site: str | None = None, *, occurred_at: When, note: str | None = None
    ) -> int:
        """Record ``OffenderReleased``."""
        return self.record(p.OffenderReleased(offender=offender, release_type=release_type, destination_site=destination_site), occurred_at, note)

    def record_cclo_contact(
        self, offender: str, cclo: str, police_service: str, purpose: p.CcloPurpose, minutes: int, *, occurred_at: When, note: str | None = None
    ) -> int:
        """Record ``CcloContactRecorded``."""
        return self.record(
            p.CcloContactRecorded(offender=offender, cclo=cclo, police_service=police_service, purpose=purpose, minutes=minutes), occurred_at, note
        )

    def issue_warrant(self, offender: str, reason: p.WarrantReason, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``WarrantIssued``."""
        return self.record(p.WarrantIssued(offender=offender, reason=reason), occurred_at, note)

    def record_apprehension(self, offender: str, *, occurred_at: When, note: str | None = None) -> int:
        """Record ``OffenderApprehended``."""
        return self.record(p.OffenderApprehended(offender=offender), occurred_at, note)
