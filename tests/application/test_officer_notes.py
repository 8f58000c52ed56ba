"""The Site screen's notes per officer (``projections/screens/site.py``), through the session the
screen reads, on both stores: who covers an officer on leave, where an officer who moved came
from and when, and the rules' full week.

On the three-site scenario (``tests/support/three_sites.py``, at 2026-03-20 12:00 in Toronto),
worked out by hand:

- po3 (KP) is on leave from 03-09, covered by po1 from 03-09; po2 also covers from 03-10:
  ``covered_by`` "po1, po2". po1, not on leave, has none ("").
- po5, registered at MIN, moves to KP on 03-12 and back to MIN on 03-16: the latest move is
  from KP on 2026-03-16. po4 moves to KP on 03-13, and the move is retracted: po4 never moved
  (""), and is still at PEN. po2 "moves" to KP, where they are: no move.
- Every row's full week is the current rules' 37.5 (po4 works 15 h: part-time against it)."""

from __future__ import annotations

from caseledger.application.ledger import Ledger
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.clock import Clock
from tests.support.three_sites import ADMIN, NOW, three_sites
from tests.support.world import open_ledger


def test_the_notes_say_who_covers_and_the_latest_move(store_url: str) -> None:
    _app, service = open_ledger(store_url, ADMIN)
    three_sites(service)
    service.start_coverage("po3", "po2", occurred_at="2026-03-10")
    service.move_officer("po5", "KP", occurred_at="2026-03-12")
    service.move_officer("po5", "MIN", occurred_at="2026-03-16")
    position = service.move_officer("po4", "KP", occurred_at="2026-03-13")
    service.record(p.EventRetracted(position=position, reason="wrong officer"), "2026-03-13")
    service.move_officer("po2", "KP", occurred_at="2026-03-14")
    rows = {row["officer"]: row for row in Ledger.open(store_url, clock=Clock(NOW), login=ADMIN).officers()}
    notes = {officer: (row["covered_by"], row["moved_from"], row["moved_on"], row["site"]) for officer, row in rows.items()}
    assert notes == {
        "po1": ("", "", "", "KP"),
        "po2": ("", "", "", "KP"),
        "po3": ("po1, po2", "", "", "KP"),
        "po4": ("", "", "", "PEN"),
        "po5": ("", "KP", "2026-03-16", "MIN"),
    }
    assert {row["full_week"] for row in rows.values()} == {37.5}
    assert rows["po4"]["weekly_hours"] == 15.0
