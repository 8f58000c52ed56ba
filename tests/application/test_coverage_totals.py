"""Coverage counts each case once, and totals over sites never net (issue #21, points 4 and 5),
through the session the Site screen reads, on both stores.

The scenario (:func:`three_sites`), at T = 2026-03-20 12:00 in Toronto — every site an
institution (current / proposed ratios: medium 28 / 23, maximum 30 / 25, minimum 25 / 20):

- KP (medium): po1, po2, po3, full-time institutional POs. Cases admitted at KP on 2026-03-02:
  k1–k3 → po1, k4–k5 → po2, k6–k9 → po3: **9 cases**. po3 goes on leave on 03-09; po1 covers
  them from 03-09 and po2 from 03-10 (a second coverage: both carry po3's 4 cases).
- PEN (maximum): po4, 15 h a week (15 / 37.5 = 0.40 FTE); p1–p18 → po4: **18 cases**.
- MIN (minimum): po5, full-time; m1–m5 → po5: **5 cases**.

Every offender's sentence began 2025-06-02 (its preliminary assessment, due 5 working days
later, is overdue at T); the correctional plan (admission + 70 days: the sentence is 4 years) and
the release-plan start (statutory release 2028-06-01 − 180 days) are still ahead: exactly **one
overdue deadline per case**.

What the officers carry: po1 3 + 4 = 7, po2 2 + 4 = 6, po3 0 (away) — summed, 13 cases at KP,
po3's 4 twice. The site has 9. Overdue deadlines carried: po1 7, po2 6, po3 4 (their own, even
away) = 17; the site's are 9, one per case.
"""

from __future__ import annotations

from typing import Any

from caseledger.application.ledger import Ledger
from caseledger.application.supervisor import site_rows_with_totals, staffing_rows
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.clock import Clock
from tests.support.three_sites import ADMIN, NOW, three_sites
from tests.support.world import open_ledger


def session_on(url: str) -> Ledger:
    return Ledger.open(url, clock=Clock(NOW), login=ADMIN)


def texts(row: tuple[Any, ...]) -> list[str]:
    return [cell.text for cell in row]


def test_a_second_coverage_says_who_covers_how_many_cases_both_carry_and_how_to_hand_over(store_url: str) -> None:
    """po1 covers po3 (4 cases of their own): covering po3 again by po2 is odd — both would carry
    all 4; by po1 again, nothing changes. Once po2's coverage is recorded, a third (po5, at MIN:
    odd twice) would make three carry them; and po2 (at work, covered by nobody) is odd only for
    not being on leave."""
    _app, service = open_ledger(store_url, ADMIN)
    three_sites(service)
    session = session_on(store_url)
    assert session.oddities(p.CoverageStarted(officer="po3", covering_officer="po2")) == [
        "po3 is already covered by po1: both will carry all 4 cases; to hand over, end po1's coverage"
    ]
    assert session.oddities(p.CoverageStarted(officer="po3", covering_officer="po1")) == ["po1 already covers po3: recording it again changes nothing"]
    service.start_coverage("po3", "po2", occurred_at="2026-03-10")
    assert session.oddities(p.CoverageStarted(officer="po3", covering_officer="po5")) == [
        "po5 works at MIN, po3 at KP",
        "po3 is already covered by po1 and po2: all three will carry all 4 cases; to hand over, end po1's and po2's coverage",
    ]
    assert session.oddities(p.CoverageStarted(officer="po2", covering_officer="po1")) == [
        "po2 is not on leave: coverage counts only while they are (record their leave first)"
    ]


def test_an_ended_or_retracted_coverage_is_not_a_coverage(store_url: str) -> None:
    """po1's coverage of po3 ended on 03-11 (and a coverage by po2 recorded and then retracted):
    po3 is covered by nobody, so covering them is not odd at all."""
    _app, service = open_ledger(store_url, ADMIN)
    three_sites(service)
    service.end_coverage("po3", "po1", occurred_at="2026-03-11")
    position = service.start_coverage("po3", "po2", occurred_at="2026-03-12")
    service.record(p.EventRetracted(position=position, reason="entered for the wrong officer"), "2026-03-12")
    assert session_on(store_url).oddities(p.CoverageStarted(officer="po3", covering_officer="po2")) == []


def test_the_site_screen_counts_each_case_once_when_two_officers_cover_one(store_url: str) -> None:
    """With po1 and po2 both covering po3 (see the module), the Site screen's KP row shows the
    site's 9 cases (3 + 2 + 4, counted from the scenario), not the 13 its officers carry, against a
    capacity of 28 + 28 (po3 is away) = 56: 47 spare; its overdue deadlines are the 9 cases' 9, not
    the 17 carried. Each coverer's own row still shows the 4 cases they carry for po3. PEN: 18 / 30,
    12 spare; MIN: 5 / 25, 20 spare. All sites: 9 + 18 + 5 = 32 cases, 32 overdue, against
    56 + 30 + 25 = 111: none over, 47 + 12 + 20 = 79 spare."""
    _app, service = open_ledger(store_url, ADMIN)
    three_sites(service)
    service.start_coverage("po3", "po2", occurred_at="2026-03-10")
    officers = session_on(store_url).officers()
    assert {row["officer"]: row["covered_caseload"] for row in officers if row["covered_caseload"]} == {"po1": 4, "po2": 4}
    rows = {texts(row)[0]: texts(row)[:5] for row in site_rows_with_totals(officers)}
    assert rows == {
        "KP": ["KP", "9 / 56", "47 spare", "", "9 overdue"],
        "PEN": ["PEN", "18 / 30", "12 spare", "", "18 overdue"],
        "MIN": ["MIN", "5 / 25", "20 spare", "", "5 overdue"],
        "all sites": ["all sites", "32 / 111", "79 spare", "", "32 overdue"],
    }


def test_staffing_totals_show_shortage_and_surplus_side_by_side(store_url: str) -> None:
    """Staffing at T (cases located at each site; available FTE: officers at work):

    | site | cases | FTE | now: need, gap | proposed: need, gap |
    |---|---|---|---|---|
    | KP | 9 | 2.00 (po3 away) | 9/28 = 0.3214 → 0.32; 0.3214 − 2 = −1.6786 → 1.68 spare | 9/23 = 0.3913 → 0.39; −1.6087 → 1.61 spare |
    | PEN | 18 | 15/37.5 = 0.40 | 18/30 = 0.60; +0.20 short | 18/25 = 0.72; +0.32 short |
    | MIN | 5 | 1.00 | 5/25 = 0.20; −0.80 → 0.80 spare | 5/20 = 0.25; −0.75 → 0.75 spare |

    Totals: 32 cases, 3.40 FTE; now 1.12 needed, 0.20 short (PEN) and 1.68 + 0.80 = 2.48 spare —
    never the net 2.28 spare, which would hide PEN's shortage; proposed 1.36 needed, 0.32 short
    and 1.61 + 0.75 = 2.36 spare. PEN is short under the proposed rules, so first; then MIN
    (−0.75), then KP (−1.61)."""
    _app, service = open_ledger(store_url, ADMIN)
    three_sites(service)
    rows = [texts(row) for row in staffing_rows(*session_on(store_url).staffing())]
    assert rows == [
        ["PEN", "18", "0.40", "0.60", "0.20", "", "0.72", "0.32", ""],
        ["MIN", "5", "1.00", "0.20", "", "0.80", "0.25", "", "0.75"],
        ["KP", "9", "2.00", "0.32", "", "1.68", "0.39", "", "1.61"],
        ["all sites", "32", "3.40", "1.12", "0.20", "2.48", "1.36", "0.32", "2.36"],
    ]
