"""The three-site scenario of the coverage and totals tests, hand-checked in the docstring of
``tests/application/test_coverage_totals.py``: KP with 9 cases (po3 away, covered by po1), PEN
with 18 (po4 part-time), MIN with 5; one overdue deadline per case at :data:`NOW`."""

from __future__ import annotations

import datetime as dt

from caseledger.domain.events import catalogue as p
from tests.support.commands import ScriptedService

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
ADMIN = "tester"
CASES = {"KP": {"po1": 3, "po2": 2, "po3": 4}, "PEN": {"po4": 18}, "MIN": {"po5": 5}}
LEVELS: dict[str, p.SecurityLevel] = {"KP": "medium", "PEN": "maximum", "MIN": "minimum"}


def three_sites(service: ScriptedService) -> None:
    """The module's scenario, up to po1's coverage of po3 (the second coverage is the tests')."""
    day = "2026-01-05"
    for site, level in LEVELS.items():
        service.register_site(site, f"{site} Institution", "institution", "ontario", "America/Toronto", security_levels=[level], occurred_at=day)
    for site, officers in CASES.items():
        for officer in officers:
            service.register_officer(officer, officer.upper(), site, "institutional_po", 15 if officer == "po4" else 37.5, occurred_at=day)
    for site, officers in CASES.items():
        number = 0
        for officer, count in officers.items():
            for _ in range(count):
                number += 1
                offender = f"{site[0].lower()}{number}"
                service.admit_offender(
                    offender,
                    site,
                    LEVELS[site],
                    dt.date(2025, 6, 2),
                    dt.date(2028, 6, 1),
                    warrant_expiry=dt.date(2029, 6, 2),
                    occurred_at="2026-03-02",
                )
                service.assign_case(offender, officer, occurred_at="2026-03-02")
    service.start_leave("po3", "annual", occurred_at="2026-03-09")
    service.start_coverage("po3", "po1", occurred_at="2026-03-09")
