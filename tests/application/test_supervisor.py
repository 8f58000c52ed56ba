"""The supervisor's view (issue #12, point 4; issue #21, points 4 and 5), hand-checked on six
workload rows.

KP: a (institutional PO, 27 own cases against a ratio of 25 → over; 42.14 h estimated in a
37.5 h week → over; 4.64 h overtime; 450 add-on minutes = 7.50 h; 2 overdue deadlines of their own
cases) and b (on leave, 12 own cases nobody covers → 12 uncovered). PEN (ratio 30): d is on leave
with 3 own cases (1 overdue deadline) and both c (17 own, carries 20) and f (5 own, carries 8)
cover them, so each carries d's overdue deadline. KPO (a community office, no ratio): e, 15 cases,
31.50 h.

Per site, a case once (the officers' own caseloads summed), never what each carries:
- KP: 2 officers, 1 away; cases 27 + 12 = 39 against a capacity of 25 (b is away: their ratio is
  not capacity) → 14 over; uncovered 12; overdue 2; overtime 4.64 h; 42.14 h against one 37.5 h
  week → over.
- PEN: 3 officers, 1 away; cases 17 + 3 + 5 = 25 (what they carry sums to 20 + 8 + 0 = 28: d's 3
  cases twice) against 30 + 30 = 60 → 35 spare; overdue 1 (d's deadline once, not once per
  carrier: 1 + 1 + 1 = 3); 30.00 + 14.00 = 44.00 h against 75.
- KPO: 1 officer, 15 cases (no ratio), 31.50 h against 37.5.
KP needs action first (uncovered), then PEN (overdue), then KPO.

All sites: 6 officers, 2 away; 39 + 25 + 15 = 79 cases against 25 + 60 = 85: 14 over and 35
spare side by side (never "6 spare", KP's 14 cases netted against PEN's room), marked; 12
uncovered; 2 + 1 = 3 overdue; 4.64 h overtime; 42.14 + 44.00 + 31.50 = 117.64 h against
37.5 + 75 + 37.5 = 150, marked because KP is over (the sum alone is not)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from caseledger.application.supervisor import officer_row, site_rows_with_totals, staffing_rows


def workload(officer: str, site: str, role: str, *, own: int, ratio: int | None, estimated: float, overtime: float = 0.0, **more: Any) -> dict[str, Any]:
    """A workload row as the projection writes it (effective = (0 if on leave else own) + covered)."""
    on_leave, covered = more.get("on_leave", False), more.get("covered", 0)
    return {
        "officer": officer,
        "site": site,
        "role": role,
        "on_leave": on_leave,
        "own_caseload": own,
        "effective_caseload": (0 if on_leave else own) + covered,
        "covered_caseload": covered,
        "ratio_standard": ratio,
        "estimated_weekly_hours": estimated,
        "weekly_hours": 37.5,
        "overtime_hours": overtime,
        "addon_minutes_week": more.get("addon_minutes", 0),
        "uncovered_caseload": more.get("uncovered", 0),
        "overdue": more.get("overdue", 0),
        "own_overdue": more.get("own_overdue", 0),
    }


ROWS = [
    workload("a", "KP", "institutional_po", own=27, ratio=25, estimated=42.14, overtime=4.64, addon_minutes=450, overdue=2, own_overdue=2),
    workload("b", "KP", "institutional_po", own=12, ratio=25, estimated=0.0, on_leave=True, uncovered=12),
    workload("c", "PEN", "institutional_po", own=17, ratio=30, estimated=30.0, covered=3, overdue=1),
    workload("d", "PEN", "institutional_po", own=3, ratio=30, estimated=0.0, on_leave=True, overdue=1, own_overdue=1),
    workload("f", "PEN", "institutional_po", own=5, ratio=30, estimated=14.0, covered=3, overdue=1),
    workload("e", "KPO", "community_po", own=15, ratio=None, estimated=31.5),
]


def cells(row: tuple[Any, ...]) -> list[tuple[str, bool]]:
    return [(cell.text, cell.over) for cell in row]


def test_an_officer_row_in_words_with_what_is_over_marked() -> None:
    assert cells(officer_row(ROWS[0])) == [
        ("a", False),
        ("", False),
        ("27 / 25", True),
        ("2 overdue", True),
        ("42.14 h / 37.5", True),
        ("4.64 h", True),
        ("", False),
        ("institutional PO", False),
        ("", False),
        ("7.50 h", False),
    ]
    assert [text for text, _over in cells(officer_row(ROWS[1]))][1::5] == ["on leave", "12 cases"]
    assert cells(officer_row(ROWS[1]))[3] == ("", False)
    assert cells(officer_row(ROWS[2]))[2:4] == [("20 / 30", False), ("1 overdue", True)]
    assert cells(officer_row(ROWS[2]))[8] == ("3 cases", False)  # each coverer carries the absent officer's cases


def test_one_row_per_site_needing_action_first_each_case_once_then_totals_that_do_not_net() -> None:
    assert [cells(row) for row in site_rows_with_totals(ROWS)] == [
        [
            ("KP", False),
            ("39 / 25", True),
            ("14 over", True),
            ("12 cases", True),
            ("2 overdue", True),
            ("4.64 h", True),
            ("42.14 h / 37.5", True),
            ("2 (1 away)", False),
        ],
        [
            ("PEN", False),
            ("25 / 60", False),
            ("35 spare", False),
            ("", False),
            ("1 overdue", True),
            ("", False),
            ("44.00 h / 75", False),
            ("3 (1 away)", False),
        ],
        [("KPO", False), ("15 (no ratio)", False), ("", False), ("", False), ("", False), ("", False), ("31.50 h / 37.5", False), ("1", False)],
        [
            ("all sites", False),
            ("79 / 85", True),
            ("14 over · 35 spare", True),
            ("12 cases", True),
            ("3 overdue", True),
            ("4.64 h", True),
            ("117.64 h / 150", True),
            ("6 (2 away)", False),
        ],
    ]


def test_a_site_whose_officers_are_all_away_has_no_capacity_and_an_mai_adds_none() -> None:
    """KP: b (institutional PO, 12 own cases) is on leave and g, an MAI at work, holds no
    caseload: capacity 0 (the MAI's ratio is no capacity: MAIs carry no caseload), so 12 / 0, 12
    over — not "no ratio", which is a community office's."""
    mai = workload("g", "KP", "mai", own=0, ratio=25, estimated=2.0)
    assert cells(site_rows_with_totals([ROWS[1], mai])[0])[1:3] == [("12 / 0", True), ("12 over", True)]


def staffing(site: str, kind: str, cases: int, available: float, required: float) -> dict[str, Any]:
    return {
        "site": site,
        "kind": kind,
        "cases": cases,
        "officers_available_fte": available,
        "required_fte": required,
        "gap_fte": round(required - available, 2),
    }


def test_staffing_under_the_current_and_proposed_rules_side_by_side_with_totals_that_do_not_net() -> None:
    """A: an institution of ratio 25 now, 20 proposed, 30 cases, 1 officer: needs 30/25 = 1.20 FTE
    now (0.20 short), 30/20 = 1.50 proposed (0.50 short). B: a CCC of ratio 10 now, 8 proposed, 8
    cases, 1 officer: 0.80 now (0.20 spare), 1.00 proposed (even: no cell). A is shorter under the
    proposed rules, so first. Totals: 38 cases, 2.00 FTE, 2.00 needed now: 0.20 short (A) and
    0.20 spare (B) side by side — their net, 0, would hide A's shortage; 2.50 proposed: 0.50
    short, none spare."""
    current = [staffing("A", "institution", 30, 1.0, 1.2), staffing("B", "ccc", 8, 1.0, 0.8)]
    proposed = [staffing("B", "ccc", 8, 1.0, 1.0), staffing("A", "institution", 30, 1.0, 1.5)]
    assert [cells(row) for row in staffing_rows(current, proposed)] == [
        [("A", False), ("30", False), ("1.00", False), ("1.20", False), ("0.20", True), ("", False), ("1.50", False), ("0.50", True), ("", False)],
        [("B", False), ("8", False), ("1.00", False), ("0.80", False), ("", False), ("0.20", False), ("1.00", False), ("", False), ("", False)],
        [("all sites", False), ("38", False), ("2.00", False), ("2.00", False), ("0.20", True), ("0.20", False), ("2.50", False), ("0.50", True), ("", False)],
    ]


def test_one_site_has_no_total_row() -> None:
    only = [staffing("A", "institution", 30, 1.0, 1.2)]
    assert [cells(row)[0][0] for row in staffing_rows(only, only)] == ["A"]
    assert [cells(row)[0][0] for row in site_rows_with_totals(ROWS[:2])] == ["KP"]


@given(st.lists(st.tuples(st.integers(0, 500), st.integers(-2000, 2000), st.integers(-2000, 2000)), min_size=2, max_size=8))
def test_a_staffing_total_is_the_sites_shortages_and_surpluses_apart(sites: list[tuple[int, int, int]]) -> None:
    """Whatever the sites' gaps (in hundredths of an FTE, now and proposed): the total's short
    cell is the sum of the sites' short cells, its spare cell the sum of their spare cells, and
    short − spare is the net, which the total never shows in place of either."""
    current = [staffing(f"S{index}", "institution", 10, available / 100, (available + gap) / 100) for index, (available, gap, _) in enumerate(sites)]
    proposed = [staffing(f"S{index}", "institution", 10, available / 100, (available + gap) / 100) for index, (available, _, gap) in enumerate(sites)]
    *per_site, total = [cells(row) for row in staffing_rows(current, proposed)]
    for short, spare, gaps in ((4, 5, [gap for _, gap, _ in sites]), (7, 8, [gap for _, _, gap in sites])):
        shown = [sum(round(float(row[column][0] or 0) * 100) for row in per_site) for column in (short, spare)]
        assert shown == [sum(gap for gap in gaps if gap > 0), sum(-gap for gap in gaps if gap < 0)]
        assert [round(float(total[column][0] or 0) * 100) for column in (short, spare)] == shown
        assert total[short][1] == any(gap > 0 for gap in gaps)
