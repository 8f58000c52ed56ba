"""The deadlines' precise readings an adversarial review probed, each a small hand-checked case on
both stores (the sites and officers of ``fixtures/deadlines_scenario.jsonl``: on-inst in Ontario,
qc-inst in Quebec, po-a and po-b), at T = 2026-06-30."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from caseledger.application.imports import import_lines
from caseledger.domain.model.times import parse_cutoff
from caseledger.domain.store.application import LedgerApplication, open_application
from caseledger.projections.engine.compute import compute, find
from caseledger.projections.replay.facts import View
from caseledger.projections.rules import HERE as RULES
from caseledger.projections.rules import RulesError, load_rules, parse_rules
from tests.support.paths import FIXTURES
from tests.support.projection_helpers import plain

PEOPLE = (FIXTURES / "deadlines_scenario.jsonl").read_bytes().splitlines()[:5]


def admitted(day: str, sentence_start: str, warrant_expiry: str, **more: Any) -> dict[str, Any]:
    return {
        "type": "OffenderAdmitted",
        "occurred_at": day,
        "offender": "x",
        "site": "on-inst",
        "security_level": "medium",
        "sentence_start": sentence_start,
        "statutory_release": "2029-01-30",
        "warrant_expiry": warrant_expiry,
        "complexity": [],
        **more,
    }


def event(kind: str, day: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "occurred_at": day, "offender": "x", **fields}


def deadlines(store_url: str, lines: list[dict[str, Any]]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows at T of a store holding the people and ``lines``, by deadline: (officer, opened,
    due, completed, status)."""
    app: LedgerApplication = open_application(store_url)
    import_lines(app, [*PEOPLE, *(json.dumps(line).encode() for line in lines)], "importer")
    found: dict[str, list[tuple[Any, ...]]] = {}
    for row in plain(compute(app, find("deadlines"), View(as_of=parse_cutoff("2026-06-30", "as_of")), load_rules("current")).rows):
        found.setdefault(row["deadline"], []).append((row["officer"], row["opened_on"], row["due_on"], row["completed_on"], row["status"]))
    return found


def test_an_assessment_submitted_before_the_hearing_completes_it_under_the_officer_who_submitted_it(store_url: str) -> None:
    """Submitted 03-10 by po-a under the plan of 03-02; the case moves to po-b on 03-12; the
    hearing scheduled 03-16 (for 04-27, due 03-30) is met on 03-10 — po-a's, not po-b's."""
    lines = [
        admitted("2026-02-02", "2026-01-30", "2030-01-30"),
        event("CaseAssigned", "2026-02-02", officer="po-a"),
        event("ReleasePlanStarted", "2026-03-02", release_type="day_parole", destination="Kingston"),
        event("ReleasePlanStep", "2026-03-10", step="assessment_for_decision_submitted"),
        event("CaseAssigned", "2026-03-12", officer="po-b"),
        event("HearingScheduled", "2026-03-16", hearing_date="2026-04-27", review_type="day parole"),
    ]
    assert deadlines(store_url, lines)["board_information"] == [("po-a", "2026-03-16", "2026-03-30", "2026-03-10", "met")]


def test_an_instance_made_moot_by_the_warrants_expiry_names_the_officer_then(store_url: str) -> None:
    """Warrant expires 03-01 while po-a has the case; po-b takes it on 04-01 and a completion on
    05-01 comes too late: both open instances are moot, po-a's."""
    lines = [
        admitted("2026-01-05", "2022-06-01", "2026-03-01"),
        event("CaseAssigned", "2026-01-05", officer="po-a"),
        event("CaseAssigned", "2026-04-01", officer="po-b"),
        event("CaseTaskCompleted", "2026-05-01", task="preliminary_assessment"),
    ]
    found = deadlines(store_url, lines)
    assert found["correctional_plan"] == [("po-a", "2026-01-05", "2026-03-16", None, "moot")]
    assert found["preliminary_assessment"] == [("po-a", "2026-01-05", "2022-06-07", None, "moot")]


def test_a_completion_at_the_same_instant_as_the_opening_counts_even_recorded_first(store_url: str) -> None:
    """No plan: the assessment submitted 06-01 00:00 completes the open instance of the first
    hearing (due 06-22: met); the rescheduled hearing at the same instant, recorded after it, opens
    one that the same submission completes too (due 07-20: met on 06-01) — one event may complete
    several instances, at or after their opening."""
    lines = [
        admitted("2026-04-01", "2026-04-01", "2030-03-01"),
        event("HearingScheduled", "2026-05-04", hearing_date="2026-07-20", review_type="day parole"),
        event("ReleasePlanStep", "2026-06-01", step="assessment_for_decision_submitted"),
        event("HearingScheduled", "2026-06-01", hearing_date="2026-08-17", review_type="day parole"),
    ]
    assert deadlines(store_url, lines)["board_information"] == [
        (None, "2026-05-04", "2026-06-22", "2026-06-01", "met"),
        (None, "2026-06-01", "2026-07-20", "2026-06-01", "met"),
    ]


def test_dates_at_the_calendars_edges_are_clamped_not_crashed_on(store_url: str) -> None:
    """A sentence starting 9999-12-31 (four years on is past the calendar: a long sentence it is
    not) and a hearing on 0001-01-05 (28 days before it is before the calendar): rows, not errors."""
    lines = [
        admitted("2026-04-01", "9999-12-31", "2030-01-30"),
        event("HearingScheduled", "2026-05-04", hearing_date="0001-01-05", review_type="dp"),
    ]
    found = deadlines(store_url, lines)
    assert found["correctional_plan"] == [(None, "2026-04-01", "2026-06-10", None, "overdue")]
    assert found["board_information"] == [(None, "2026-05-04", "0001-01-01", None, "overdue")]
    assert found["preliminary_assessment"][0][2] == "9999-12-31"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('days = 70\nlong_sentence_days = 90\ncalendar = "calendar"', 'days = 70\nlong_sentence_days = 0\ncalendar = "working"'),
            "long_sentence_days: working days count forward",
        ),
        (("long_sentence_days = 90\n", ""), "correctional_plan.long_sentence_days: needed"),
    ],
)
def test_a_rules_file_that_would_count_forever_or_guess_is_refused(change: tuple[str, str], message: str, tmp_path: Path) -> None:
    text = (RULES / "current.toml").read_text()
    assert change[0] in text
    with pytest.raises(RulesError, match=message):
        parse_rules(text.replace(*change).encode(), "regional.toml")
