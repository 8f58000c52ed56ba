"""A tiny world most tests start from: four sites, three officers, one offender."""

from __future__ import annotations

from caseledger.domain.store.application import LedgerApplication, open_application
from tests.support.commands import ScriptedService


def open_ledger(url: str, user: str = "tester") -> tuple[LedgerApplication, ScriptedService]:
    app = open_application(url)
    return app, ScriptedService(app, user)


def seed_world(service: ScriptedService) -> None:
    """KP (institution, medium+maximum, Toronto time), PEN (institution, Vancouver time),
    CCC1 (CCC), KPO (community office); po1 and po2 at KP, cpo at KPO; O1 admitted at KP."""
    day = "2026-01-05"
    service.register_site("KP", "Kingston Pen", "institution", "ontario", "America/Toronto", security_levels=["medium", "maximum"], occurred_at=day)
    service.register_site("PEN", "Kent Institution", "institution", "pacific", "America/Vancouver", security_levels=["maximum"], occurred_at=day)
    service.register_site("CCC1", "Portsmouth CCC", "ccc", "ontario", "America/Toronto", occurred_at=day)
    service.register_site("KPO", "Kingston Parole Office", "community_office", "ontario", "America/Toronto", occurred_at=day)
    service.register_officer("po1", "Pat Officer", "KP", "institutional_po", occurred_at=day)
    service.register_officer("po2", "Sam Officer", "KP", "institutional_po", occurred_at=day)
    service.register_officer("cpo", "Lee Officer", "KPO", "community_po", occurred_at=day)
    service.admit_offender("O1", "KP", "medium", "2025-01-01", "2027-06-01", warrant_expiry="2028-06-01", occurred_at="2026-01-06")
