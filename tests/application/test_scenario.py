"""The hand-checkable scenario imports cleanly, and its expected values use the spec's columns."""

from __future__ import annotations

import json

from caseledger.application.imports import import_lines
from caseledger.domain.store.application import open_application
from caseledger.domain.store.log import read_log
from tests.support.paths import FIXTURES

SPEC_COLUMNS = {
    "workload": "officer, site, role, on_leave, own_caseload, covered_caseload, effective_caseload, ratio_standard, ratio_utilization, weighted_caseload, case_hours, addon_minutes_week, estimated_weekly_hours, weekly_hours, overtime_hours, uncovered_caseload",
    "addon_burden": "officer, site, week, category, minutes, hours, share_of_week",
    "release_lead_time": "offender, site, officer, release_type, plan_started_on, decision_on, released_on, plan_lead_days, decision_to_release_days, arrived_on, arrival_to_plan_days, no_plan, short_lead",
    "siu_stays": "offender, site, started_on, ended_on, dwell_days, outcome, reviews, transfer_requested_on, transfer_wait_days",
    "transfers": "offender, from_site, to_site, kind, requested_on, completed_on, cancelled_on, status, wait_days, interregional",
    "cclo_contacts": "site, month, contacts, minutes, offenders, by_purpose",
    "staffing_current": "site, kind, cases, officers_available_fte, required_fte, gap_fte",
    "staffing_proposed": "site, kind, cases, officers_available_fte, required_fte, gap_fte",
}


def test_the_scenario_imports_cleanly_in_file_order(store_url: str) -> None:
    app = open_application(store_url)
    lines = (FIXTURES / "scenario.jsonl").read_bytes().splitlines()
    report = import_lines(app, lines, "importer")
    assert report.events == len(lines) == report.last_position
    retraction = next(e for e in read_log(app) if e.type == "EventRetracted")
    assert next(e for e in read_log(app) if e.position == retraction.envelope.data.position).type == "AddOnTaskLogged"


def test_expected_values_cover_every_projection_with_the_spec_columns() -> None:
    expected = json.loads((FIXTURES / "scenario_expected.json").read_text())
    assert expected["rules"] == "current"
    assert set(expected["projections"]) == set(SPEC_COLUMNS)
    for name, columns in SPEC_COLUMNS.items():
        rows = expected["projections"][name]
        assert rows, name
        for row in rows:
            assert list(row) == columns.split(", "), (name, row)
