"""The hand-checked coverage scenario (``fixtures/coverage_expected.md`` has the working), on both
stores: leave starting mid-week, two officers covering one, coverage ending while the leave goes
on, an officer moving mid-week, a retracted LeaveStarted."""

from __future__ import annotations

import pytest

from caseledger.application.imports import import_lines
from caseledger.domain.model.times import parse_cutoff
from caseledger.domain.store.application import LedgerApplication, open_application
from caseledger.projections.engine.compute import compute, find
from caseledger.projections.replay.facts import View, Weeks
from caseledger.projections.rules import load_rules
from tests.support.paths import FIXTURES

OFFICERS = [
    ("po-a", "on-a", "2026-W12", 5, 14, 0, 2, 0.0),
    ("po-b", "on-a", "2026-W12", 0, 7, 8, 0, 1.61),
    ("po-c", "on-a", "2026-W12", 3, 7, 0, 3, 0.0),
    ("po-d", "on-a", "2026-W12", 0, 0, 2, 0, 0.4),
    ("po-d", "on-b", "2026-W12", 0, 0, 2, 0, 0.4),
]
SITES = [
    ("on-a", "2026-W12", 8, 10, 5, 2.01, 0.94, 0.08),
    ("on-b", "2026-W12", 0, 2, 0, 0.4, 0.0, 0.01),
]


@pytest.fixture
def scenario(store_url: str) -> LedgerApplication:
    app = open_application(store_url)
    import_lines(app, (FIXTURES / "coverage_scenario.jsonl").read_bytes().splitlines(), "importer")
    return app


def rows(app: LedgerApplication, as_of: str, *, by_site: bool = False, weeks: Weeks | None = None) -> list[tuple[object, ...]]:
    found = compute(app, find("coverage", by_site=by_site), View(as_of=parse_cutoff(as_of, "as_of")), load_rules("current"), weeks=weeks or Weeks())
    return [tuple(row.values()) for row in found.rows]


def test_officer_weeks_match_the_hand_worked_values(scenario: LedgerApplication) -> None:
    assert rows(scenario, "2026-03-22") == OFFICERS


def test_sites_match_the_hand_worked_values(scenario: LedgerApplication) -> None:
    assert rows(scenario, "2026-03-22", by_site=True) == SITES


def test_t_in_the_middle_of_a_week_counts_its_days_so_far(scenario: LedgerApplication) -> None:
    """At Thursday 12:00 (before po-d moves): po-a on leave Wed and Thu; Thursday's state is T's
    (covered by po-b and po-d since 00:00): po-b and po-d each 2 covered case-days."""
    found = rows(scenario, "2026-03-19T12:00:00-04:00")
    assert [row[:7] for row in found] == [
        ("po-a", "on-a", "2026-W12", 2, 8, 0, 2),
        ("po-b", "on-a", "2026-W12", 0, 4, 2, 0),
        ("po-c", "on-a", "2026-W12", 0, 4, 0, 0),
        ("po-d", "on-a", "2026-W12", 0, 0, 2, 0),
    ]


def test_a_week_range_outside_the_data_is_empty_and_one_inside_is_whole(scenario: LedgerApplication) -> None:
    assert rows(scenario, "2026-03-22", weeks=Weeks("2026-W13", "2026-W14")) == []
    assert rows(scenario, "2026-03-22", weeks=Weeks("2026-W12", "2026-W12")) == OFFICERS


def test_weekly_hours_match_the_hand_worked_values(scenario: LedgerApplication) -> None:
    """``fixtures/coverage_expected.md``, "Weekly hours": each officer's hours at the end of W12's
    Sunday, and at Thursday noon (T mid-week: the state at T, the add-ons logged by then)."""
    week = compute(scenario, find("weekly_hours"), View(as_of=parse_cutoff("2026-03-22", "as_of")), load_rules("current")).rows
    assert [(r["officer"], r["site"], r["case_hours"], r["addon_minutes"], r["estimated_weekly_hours"], r["overtime_hours"]) for r in week] == [
        ("po-a", "on-a", 0.0, 90, 1.5, 0.0),
        ("po-b", "on-a", 4.06, 2100, 39.06, 1.56),
        ("po-c", "on-a", 0.0, 0, 0.0, 0.0),
        ("po-d", "on-b", 0.0, 0, 0.0, 0.0),
    ]
    thursday = compute(scenario, find("weekly_hours"), View(as_of=parse_cutoff("2026-03-19T12:00:00-04:00", "as_of")), load_rules("current")).rows
    assert [(r["officer"], r["case_hours"], r["estimated_weekly_hours"]) for r in thursday] == [
        ("po-a", 0.0, 1.5),
        ("po-b", 4.06, 39.06),
        ("po-c", 1.25, 1.25),
        ("po-d", 2.81, 2.81),
    ]
