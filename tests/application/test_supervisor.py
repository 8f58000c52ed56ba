"""The supervisor's view (issue #12, point 4), hand-checked on three workload rows.

KP: a (institutional PO, 27 cases against a ratio of 25 → over; 42.14 h estimated in a 37.5 h
week → over; 4.64 h overtime; 450 add-on minutes = 7.50 h) and b (on leave, 12 own cases nobody
covers → 12 uncovered). PEN: c (community PO, 20 / 40, 30.00 h of 37.5, covering 3 cases).

Per site: KP has 2 officers, 1 on leave; cases 27 + 12 = 39 against a capacity of 25 (b is on
leave: their ratio is not capacity) → over; estimated 42.14 + 0 = 42.14 h against one 37.5 h week
→ over; overtime 4.64 h; uncovered 12. PEN: 1 officer, 20 / 40, 30.00 h / 37.5. KP needs action
(uncovered) so it comes first. All sites: 3 officers, 1 on leave, 59 / 65, 72.14 h / 75, 4.64 h,
12 uncovered. Overdue deadlines: a 2, c 1 (b none: no cell) → KP 2, PEN 1, all sites 3, each
marked."""

from __future__ import annotations

from typing import Any

from caseledger.application.supervisor import officer_row, site_rows_with_totals, staffing_rows


def workload(officer: str, site: str, role: str, *, cases: int, ratio: int, estimated: float, overtime: float = 0.0, **more: Any) -> dict[str, Any]:
    return {
        "officer": officer,
        "site": site,
        "role": role,
        "on_leave": more.get("on_leave", False),
        "effective_caseload": cases,
        "covered_caseload": more.get("covered", 0),
        "ratio_standard": ratio,
        "estimated_weekly_hours": estimated,
        "weekly_hours": 37.5,
        "overtime_hours": overtime,
        "addon_minutes_week": more.get("addon_minutes", 0),
        "uncovered_caseload": more.get("uncovered", 0),
        "overdue": more.get("overdue", 0),
    }


ROWS = [
    workload("a", "KP", "institutional_po", cases=27, ratio=25, estimated=42.14, overtime=4.64, addon_minutes=450, overdue=2),
    workload("b", "KP", "institutional_po", cases=12, ratio=25, estimated=0.0, on_leave=True, uncovered=12),
    workload("c", "PEN", "community_po", cases=20, ratio=40, estimated=30.0, covered=3, overdue=1),
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
    assert cells(officer_row(ROWS[2]))[3] == ("1 overdue", True)
    assert cells(officer_row(ROWS[2]))[8] == ("3 cases", False)


def test_one_row_per_site_needing_action_first_then_the_totals() -> None:
    assert [cells(row) for row in site_rows_with_totals(ROWS)] == [
        [("KP", False), ("2", False), ("1", False), ("39 / 25", True), ("42.14 h / 37.5", True), ("4.64 h", True), ("12 cases", True), ("2 overdue", True)],
        [("PEN", False), ("1", False), ("", False), ("20 / 40", False), ("30.00 h / 37.5", False), ("", False), ("", False), ("1 overdue", True)],
        [
            ("all sites", False),
            ("3", False),
            ("1", False),
            ("59 / 65", False),
            ("72.14 h / 75", False),
            ("4.64 h", True),
            ("12 cases", True),
            ("3 overdue", True),
        ],
    ]


def staffing(site: str, kind: str, cases: int, available: float, required: float) -> dict[str, Any]:
    return {
        "site": site,
        "kind": kind,
        "cases": cases,
        "officers_available_fte": available,
        "required_fte": required,
        "gap_fte": round(required - available, 2),
    }


def test_staffing_under_the_current_and_proposed_rules_side_by_side_with_totals() -> None:
    """A: an institution of ratio 25 now, 20 proposed, 30 cases, 1 officer: needs 30/25 = 1.20 FTE
    now (0.20 short), 30/20 = 1.50 proposed (0.50 short). B: a CCC of ratio 10 now, 8 proposed, 8
    cases, 1 officer: 0.80 now (0.20 spare), 1.00 proposed (even: no cell). A is shorter under the
    proposed rules, so first. Totals: 38 cases, 2.00 FTE, 2.00 needed now (net even), 2.50
    proposed (0.50 short)."""
    current = [staffing("A", "institution", 30, 1.0, 1.2), staffing("B", "ccc", 8, 1.0, 0.8)]
    proposed = [staffing("B", "ccc", 8, 1.0, 1.0), staffing("A", "institution", 30, 1.0, 1.5)]
    assert [cells(row) for row in staffing_rows(current, proposed)] == [
        [("A", False), ("30", False), ("1.00", False), ("1.20", False), ("0.20", True), ("1.50", False), ("0.50", True)],
        [("B", False), ("8", False), ("1.00", False), ("0.80", False), ("0.20 spare", False), ("1.00", False), ("", False)],
        [("all sites", False), ("38", False), ("2.00", False), ("2.00", False), ("", False), ("2.50", False), ("0.50", True)],
    ]
