"""The hand-checked deadlines scenario (``fixtures/deadlines_expected.md`` has the working), on both
stores: every rule, holidays and weekends inside working-day counts, the federal calendar where it
parts from the provinces' (Easter Monday, the Civic Holiday and Remembrance Day off in Ontario,
Family Day worked, Saint-Jean-Baptiste moved off a Saturday in Quebec), a rescheduled hearing
(superseded), late completions, moot instances (release, end of stay, warrant expiry), a retracted
completion, and the statuses moving with T."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from holidays.countries.canada import Canada

from caseledger.application.imports import import_lines
from caseledger.domain.model.times import parse_cutoff
from caseledger.domain.store.application import LedgerApplication, open_application
from caseledger.projections.engine.compute import compute, compute_together, find
from caseledger.projections.engine.projector import Projector
from caseledger.projections.replay.facts import View, retracted
from caseledger.projections.replay.world import Due
from caseledger.projections.rules import HERE as RULES
from caseledger.projections.rules import RulesError, load_rules, parse_rules
from tests.support.paths import FIXTURES
from tests.support.projection_helpers import FINE, plain

EXPECTED = """
off-1 po-a on-inst board_information      2026-05-04 2026-06-22 -          superseded -
off-1 po-a on-inst board_information      2026-06-01 2026-07-20 -          open       -
off-1 po-a on-inst correctional_plan      2026-04-01 2026-06-10 -          overdue    20
off-1 po-a on-inst preliminary_assessment 2026-04-01 2026-04-08 2026-04-08 met        -
off-1 po-a on-inst release_plan_start     2026-04-01 2026-09-02 2026-05-01 met        -
off-2 po-b qc-inst correctional_plan      2026-06-22 2026-09-20 -          open       -
off-2 po-b qc-inst preliminary_assessment 2026-06-22 2026-06-26 -          overdue    4
off-2 po-b qc-inst release_plan_start     2026-06-22 2026-06-04 -          overdue    26
off-2 po-b qc-inst siu_commissioner_review 2026-06-29 2026-08-28 -         open       -
off-2 po-b qc-inst siu_first_review       2026-06-29 2026-07-06 -          due_soon   -
off-3 po-b on-inst correctional_plan      2026-01-05 2026-03-16 -          moot       -
off-3 po-b on-inst preliminary_assessment 2026-01-05 2026-01-08 -          moot       -
off-3 po-a on-inst release_plan_start     2026-01-05 2025-12-17 2026-02-10 late       55
off-3 po-a on-inst siu_commissioner_review 2026-02-02 2026-04-03 -         moot       -
off-3 po-a on-inst siu_first_review       2026-02-02 2026-02-06 2026-02-05 met        -
off-3 po-a on-inst transfer_decision      2026-03-25 2026-05-24 2026-06-10 late       17
off-4 po-a on-inst correctional_plan      2026-01-05 2026-03-16 -          moot       -
off-4 po-a on-inst preliminary_assessment 2026-01-05 2022-06-07 2026-01-06 late       1309
off-5 po-a on-inst board_information      2026-03-16 2026-03-30 2026-03-10 met        -
off-5 po-a on-inst correctional_plan      2026-02-02 2026-04-13 2026-04-10 met        -
off-5 po-a on-inst preliminary_assessment 2026-02-02 2026-02-05 2026-02-06 late       1
off-5 po-a on-inst release_plan_start     2026-02-02 2026-02-02 2026-03-02 late       28
off-6 po-c on-west correctional_plan      2025-08-01 2025-10-10 2025-10-01 met        -
off-6 po-c on-west preliminary_assessment 2025-08-01 2025-08-06 2025-08-06 met        -
off-6 po-c on-west release_plan_start     2025-08-01 2025-11-02 2025-10-15 met        -
off-6 po-c on-west siu_commissioner_review 2025-11-10 2026-01-09 -         moot       -
off-6 po-c on-west siu_commissioner_review 2026-02-13 2026-04-14 -         moot       -
off-6 po-c on-west siu_first_review       2025-11-10 2025-11-17 2025-11-17 met        -
off-6 po-c on-west siu_first_review       2026-02-13 2026-02-19 2026-02-20 late       1
off-7 po-d qc-west correctional_plan      2023-06-23 2023-09-01 2023-08-25 met        -
off-7 po-d qc-west preliminary_assessment 2023-06-23 2023-06-30 2023-06-30 met        -
off-7 po-d qc-west release_plan_start     2023-06-23 2023-07-05 2023-08-30 late       56
"""
FIELDS = ("offender", "officer", "site", "deadline", "opened_on", "due_on", "completed_on", "status", "days_late")
SOURCES = {
    "preliminary_assessment": "CD 705-1",
    "correctional_plan": "CD 705-6 (placeholder: verify)",
    "release_plan_start": "placeholder (calibrate)",
    "board_information": "CD 712-3",
    "siu_first_review": "CCRA s.37.3 (placeholder: verify)",
    "siu_commissioner_review": "CCRA s.37.4 (placeholder: verify)",
    "transfer_decision": "CCRR s.15",
}


def expected_rows() -> list[dict[str, object]]:
    rows = []
    for line in EXPECTED.strip().splitlines():
        values: list[object] = [None if value == "-" else value for value in line.split()]
        row = dict(zip(FIELDS, values, strict=True))
        row["days_late"] = int(str(row["days_late"])) if row["days_late"] is not None else None
        row["source"] = SOURCES[str(row["deadline"])]
        rows.append(row)
    return rows


@pytest.fixture
def scenario(store_url: str) -> LedgerApplication:
    app = open_application(store_url)
    import_lines(app, (FIXTURES / "deadlines_scenario.jsonl").read_bytes().splitlines(), "importer")
    return app


def deadlines_at(app: LedgerApplication, day: str) -> list[dict[str, object]]:
    return plain(compute(app, find("deadlines"), View(as_of=parse_cutoff(day, "as_of")), load_rules("current")).rows)


def test_every_instance_matches_the_hand_worked_values(scenario: LedgerApplication) -> None:
    assert deadlines_at(scenario, "2026-06-30") == expected_rows()


@pytest.mark.parametrize(
    ("day", "status", "days_late"),
    [("2026-07-12", "open", None), ("2026-07-13", "due_soon", None), ("2026-07-20", "due_soon", None), ("2026-07-21", "overdue", 1)],
)
def test_the_rescheduled_hearings_deadline_moves_through_its_statuses(scenario: LedgerApplication, day: str, status: str, days_late: int | None) -> None:
    """Due 07-20, due soon from 7 days before (07-13) through the due date, overdue the day after."""
    rows = [row for row in deadlines_at(scenario, day) if row["offender"] == "off-1" and row["opened_on"] == "2026-06-01"]
    assert [(row["status"], row["days_late"]) for row in rows] == [(status, days_late)]


def test_before_the_hearing_was_rescheduled_the_first_one_was_open(scenario: LedgerApplication) -> None:
    rows = [row for row in deadlines_at(scenario, "2026-05-31") if row["deadline"] == "board_information" and row["offender"] == "off-1"]
    assert [(row["due_on"], row["status"]) for row in rows] == [("2026-06-22", "open")]


def test_a_rules_file_changes_the_days_and_the_sources_column(scenario: LedgerApplication, tmp_path: Path) -> None:
    custom = tmp_path / "regional.toml"
    text = (RULES / "current.toml").read_text().replace('name = "current"', 'name = "regional"')
    custom.write_text(
        text.replace('days = -180\ncalendar = "calendar"', 'days = -120\ncalendar = "calendar"').replace(
            'source = "placeholder (calibrate)"', 'source = "regional memo 12"'
        )
    )
    rows = plain(compute(scenario, find("deadlines"), View(as_of=parse_cutoff("2026-06-30", "as_of")), load_rules(str(custom))).rows)
    off2 = next(row for row in rows if row["offender"] == "off-2" and row["deadline"] == "release_plan_start")
    assert (off2["due_on"], off2["status"], off2["source"]) == ("2026-08-03", "open", "regional memo 12")  # 2026-12-01 − 120 days


def test_a_rules_file_cannot_rewire_what_opens_a_deadline() -> None:
    text = (RULES / "current.toml").read_text()
    with pytest.raises(RulesError, match=r"deadlines\.preliminary_assessment\.anchor: 'admission date' is not what caseledger does"):
        parse_rules(text.replace('anchor = "sentence_start"', 'anchor = "admission date"').encode(), "bad.toml")
    with pytest.raises(RulesError, match=r"deadlines\.siu_first_review\.days: working days count forward"):
        parse_rules(
            text.replace(
                'days = 5\ncalendar = "working"\ncompleted_by = "SIUReviewHeld', 'days = 0\ncalendar = "working"\ncompleted_by = "SIUReviewHeld'
            ).encode(),
            "bad.toml",
        )


def test_working_days_follow_the_province_and_the_rules_closed_days() -> None:
    """Friday 2026-06-19 + 5 working days: Quebec skips Saint-Jean-Baptiste (06-24), Ontario does
    not; a closed day listed in the rules is skipped too. Family Day (Mon 2026-02-16) is Ontario's,
    not federal: worked. Friday 2026-07-31 + 2: the Civic Holiday (Mon 08-03) is off in Ontario and
    at a site with no province, worked in Quebec (its area day is Saint-Jean-Baptiste)."""
    rules = load_rules("current")
    closed = parse_rules((RULES / "current.toml").read_bytes().replace(b"closed_days = []", b"closed_days = [2026-06-23]"), "closed.toml")
    friday = dt.date(2026, 6, 19)
    assert rules.working_days("QC").nth(friday, 5) == dt.date(2026, 6, 26)
    assert rules.working_days("ON").nth(friday, 5) == dt.date(2026, 6, 25)
    assert closed.working_days("ON").nth(friday, 5) == dt.date(2026, 6, 26)
    assert rules.working_days("ON").nth(dt.date(2026, 2, 13), 2) == dt.date(2026, 2, 16)
    assert rules.working_days("ON").nth(dt.date(2026, 6, 20), 1) == dt.date(2026, 6, 22)  # a Saturday anchor: Monday is day 1
    civic = dt.date(2026, 7, 31)
    assert [rules.working_days(province).nth(civic, 2) for province in ("ON", None, "QC")] == [dt.date(2026, 8, 4), dt.date(2026, 8, 4), dt.date(2026, 8, 3)]


PROVINCIAL = [
    ("off-1", "preliminary_assessment", "2026-04-01", "ON", "2026-03-31", "2026-04-07"),
    ("off-6", "preliminary_assessment", "2025-08-01", "ON", "2025-07-30", "2025-08-05"),
    ("off-6", "siu_first_review", "2025-11-10", "ON", "2025-11-10", "2025-11-14"),
    ("off-6", "siu_first_review", "2026-02-13", "ON", "2026-02-13", "2026-02-20"),
    ("off-7", "preliminary_assessment", "2023-06-23", "QC", "2023-06-23", "2023-06-29"),
]
"""The scenario's rows whose five working days end elsewhere on the province's statutory calendar:
(offender, deadline, opened, province, anchor, the provincial day 5 worked by hand in
``fixtures/deadlines_expected.md``)."""


@pytest.mark.parametrize("case", PROVINCIAL)
def test_the_federal_rows_would_fall_due_another_day_on_the_provinces_statutory_calendar(case: tuple[str, ...]) -> None:
    """The scenario tells the calendars apart: the ``holidays`` package's ``Canada(subdiv=...)``
    counts the hand-worked provincial day 5, and the expected (federal) due date is another day."""
    offender, deadline, opened, province, anchor, provincial = case
    statutory, day, counted = Canada(subdiv=province), dt.date.fromisoformat(anchor), 0
    while True:
        counted += day.weekday() < 5 and day not in statutory
        if counted == 5:
            break
        day += dt.timedelta(days=1)
    federal = next(row["due_on"] for row in expected_rows() if (row["offender"], row["deadline"], row["opened_on"]) == (offender, deadline, opened))
    assert day.isoformat() == provincial != federal


def test_due_dates_are_derived_when_read_not_kept_in_the_snapshots(scenario: LedgerApplication, tmp_path: Path) -> None:
    """A world snapshot keeps each instance's anchor, never its due date, so a store whose
    snapshots were written before the calendar changed still yields the calendar's due dates: read
    through the snapshots, the scenario gives the hand-checked rows, and a rules file that moves no
    holiday off a weekend (Saint-Jean-Baptiste 2023 stays on its Saturday) moves off-7's due date."""
    assert "due_on" not in Due.__struct_fields__
    projector = Projector(scenario, snapshot_policy=FINE)
    projector.catch_up()
    view = View(as_of=parse_cutoff("2026-06-30", "as_of"))
    with projector.db.transaction(write=False) as cursor:
        assert projector.snapshots.usable(cursor, view, retracted(cursor, projector.db, view)) is not None
    assert deadlines_at(scenario, "2026-06-30") == expected_rows()
    unmoved = tmp_path / "unmoved.toml"
    unmoved.write_text(
        (RULES / "current.toml").read_text().replace('name = "current"', 'name = "unmoved"').replace("weekend_move = true", "weekend_move = false")
    )
    rows = plain(compute(scenario, find("deadlines"), view, load_rules(str(unmoved))).rows)
    off7 = next(row for row in rows if row["offender"] == "off-7" and row["deadline"] == "preliminary_assessment")
    assert (off7["due_on"], off7["status"], off7["days_late"]) == ("2023-06-29", "late", 1)


def test_two_projections_from_one_replay_equal_each_computed_alone(scenario: LedgerApplication) -> None:
    """The Site screen's workload and deadlines share one replay of the world: the same rows."""
    view, rules = View(as_of=parse_cutoff("2026-06-30", "as_of")), load_rules("current")
    together = compute_together(scenario, [find("workload"), find("deadlines")], view, rules).rows
    assert together == [compute(scenario, find(name), view, rules).rows for name in ("workload", "deadlines")]
    assert len(together[1]) == len(expected_rows())
