"""The hand-checked scenario: every projection, column by column, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest

from caseledger.application.imports import import_lines
from caseledger.domain.model.times import parse_cutoff
from caseledger.domain.store.application import LedgerApplication, open_application
from caseledger.projections.engine.compute import compute, find
from caseledger.projections.replay.facts import View
from caseledger.projections.rules import load_rules
from tests.support.paths import FIXTURES
from tests.support.projection_helpers import plain

EXPECTED = json.loads((FIXTURES / "scenario_expected.json").read_text())
CASES = [(name, name, "current") for name in ("workload", "addon_burden", "release_lead_time", "siu_stays", "transfers", "cclo_contacts")]
CASES += [("staffing", "staffing_current", "current"), ("staffing", "staffing_proposed", "proposed")]
KEYS = {
    "workload": ("officer",),
    "addon_burden": ("officer", "week", "category"),
    "release_lead_time": ("offender", "decision_on", "released_on"),
    "siu_stays": ("offender", "started_on"),
    "transfers": ("offender", "requested_on"),
    "cclo_contacts": ("site", "month"),
    "staffing_current": ("site",),
    "staffing_proposed": ("site",),
}


@pytest.fixture
def scenario(store_url: str) -> LedgerApplication:
    app = open_application(store_url)
    import_lines(app, (FIXTURES / "scenario.jsonl").read_bytes().splitlines(), "importer")
    return app


@pytest.mark.parametrize(("projection", "expected_key", "rules"), CASES, ids=[c[1] for c in CASES])
def test_scenario_matches_the_hand_computed_values(scenario: LedgerApplication, projection: str, expected_key: str, rules: str) -> None:
    view = View(as_of=parse_cutoff(EXPECTED["as_of"], "as_of"))
    rows = plain(compute(scenario, find(projection), view, load_rules(rules)).rows)
    key = KEYS[expected_key]
    by_key = {tuple(row[k] for k in key): row for row in rows}
    expected = {tuple(row[k] for k in key): row for row in EXPECTED["projections"][expected_key]}
    assert sorted(by_key, key=str) == sorted(expected, key=str)
    for row_key, row in expected.items():
        for column, value in row.items():
            assert by_key[row_key][column] == value, (expected_key, row_key, column)
