"""What a reader may see of the log and of a case, derived from their roles by the permission table
("Who may do what": read history, audit screen)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from caseledger.domain.errors import AccessRefused
from caseledger.domain.model.access import Actor, may_read_case, require_reader
from caseledger.domain.store.application import LedgerApplication
from caseledger.domain.store.views import StoreView


class AuditScope:
    """What of the log a person may read (the permission table's "audit screen" row): everything
    (an auditor, an admin); the events at their sites (a supervisor); their own entries and the
    events of their officer and their cases — assigned to them when asked (an officer)."""

    def __init__(self, app: LedgerApplication, actor: Actor) -> None:
        require_reader(actor, "audit")
        everything = actor.admin or actor.holds("auditor")
        self.sites: frozenset[str] | None = None if everything else actor.supervised
        self.actor = actor
        self._view = StoreView(app)
        self._own: dict[str, bool] = {}

    def allows(self, envelope: Any) -> bool:
        if self.sites is None or envelope.at_site in self.sites or envelope.recorded_by == self.actor.login:
            return True
        officer = self.actor.officer if self.actor.holds("officer") else None
        if officer is None:
            return False
        data = envelope.data
        if officer in (getattr(data, "officer", None), getattr(data, "covering_officer", None)):
            return True
        offender = getattr(data, "offender", None)
        return offender is not None and self._assigned_to_me(offender, officer)

    def _assigned_to_me(self, offender: str, officer: str) -> bool:
        known = self._own.get(offender)
        if known is None:
            case = self._view.offender(offender)
            known = self._own[offender] = case is not None and case.officer == officer
        return known


def require_case_reader(app: LedgerApplication, actor: Actor, offender: str) -> None:
    """Refuse to show ``offender``'s history to someone the permission table does not let read it
    (an officer: their own cases; a supervisor: their sites'; an auditor, an admin: any). The
    refusal says nothing of where the case is or whose it is."""
    require_reader(actor, "history")
    case = StoreView(app).offender(offender)
    readable = may_read_case(actor, case.where, case.officer) if case is not None else may_read_case(actor, None, None)
    if not readable:  # an unknown offender too: a refusal must not tell whether the case exists
        raise AccessRefused(f"only the case's officer, a supervisor of its site, an auditor or an admin may read {offender}'s history; {actor.described()}")


def allowed(check: Callable[[], object]) -> bool:
    """Whether ``check()`` allows (a truth, or a refusal's absence): False where the permission table refuses."""
    try:
        return check() is not False
    except AccessRefused:
        return False
