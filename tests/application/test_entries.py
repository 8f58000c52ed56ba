"""Issue #24, point 2: an entry in words, and a person's last entry (``u``, undo).

Worked by hand on the scenario (72 events, recorded on 2026-03-21 — months before any test
runs: no one's to undo any more; po.brown's unwarranted case review of off-002 is line 33,
recorded by po.brown). Entries made by the test are recorded now (the system clock: the recording
time is never a test's fixed instant), so they are within 24 hours.

* hq.admin links mai to po.brown (73) and grants mai the officer role (74): hq.admin's last
  entry is the grant; po.brown, whose entries are all from March, has none to undo (None).
* hq.admin logs po.adams's 45 clerical minutes (75): it is their last entry, said as "Add-on
  task logged: officer: po.adams; category: clerical; minutes: 45 — occurred 2026-03-23,
  recorded by hq.admin (position 75)".
* mai then logs 30 minutes for po.brown (76): hq.admin's last entry is still 75 — another
  login's entries are not theirs — and mai's is 76.
* hq.admin retracts 75 (77): their last entry is the retraction itself (undoing it would
  revive 75).
* hq.admin retracts mai's 76 (78): mai has nothing left to undo; hq.admin retracts that
  retraction (79): 76 counts again and is mai's last entry once more.
* Asked 25 hours from now, nothing of hq.admin's is within the window: None.

A quarantined entry does not count, so it is nobody's to undo: after 73 and 74, an add-on
"recorded by hq.admin" just now but written into the table by hand without a chain row (75) is
quarantined by the read side; hq.admin's last entry is still the grant, 74.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import msgspec
import pytest

from caseledger.application.entries import Entry, last_own_entry
from caseledger.application.ledger import Ledger
from caseledger.domain.errors import AccessRefused
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.access import OWN_ENTRY_WINDOW
from caseledger.domain.model.clock import Clock
from caseledger.domain.model.times import utc_now
from caseledger.domain.store.application import open_application
from tests.support.forgery import append_by_hand
from tests.support.tui_helpers import SCENARIO_ADMIN, scenario_url

T0 = dt.datetime(2026, 3, 23, 12, 0, tzinfo=dt.UTC)


def _store(folder: Path) -> str:
    """The scenario, and mai linked to po.brown as an officer (73, 74)."""
    url = scenario_url(folder)
    admin = Ledger.open(url, clock=Clock(T0), login=SCENARIO_ADMIN)
    admin.link("mai", "po.brown")
    admin.grant("mai", "officer")
    return url


def test_the_last_own_entry_is_the_newest_that_still_counts_within_24_hours(tmp_path: Path) -> None:
    url = _store(tmp_path)
    admin = Ledger.open(url, clock=Clock(T0), login=SCENARIO_ADMIN)
    mai = Ledger.open(url, clock=Clock(T0), login="mai")
    assert (admin.last_own_entry() or Entry(0, "")).position == 74
    assert last_own_entry(open_application(url), "po.brown", utc_now(), OWN_ENTRY_WINDOW) is None
    with pytest.raises(AccessRefused):  # po.brown's login holds no role here: it records nothing, so undoes nothing
        Ledger.open(url, clock=Clock(T0), login="po.brown").last_own_entry()

    logged = admin.record(p.AddOnTaskLogged(officer="po.adams", category="clerical", minutes=45), T0).position
    assert logged == 75
    last = admin.last_own_entry()
    assert last is not None and last.position == 75
    assert last.words == "Add-on task logged: officer: po.adams; category: clerical; minutes: 45 — occurred 2026-03-23, recorded by hq.admin (position 75)"

    assert mai.record(p.AddOnTaskLogged(officer="po.brown", category="clerical", minutes=30), T0).position == 76
    assert (admin.last_own_entry() or last).position == 75
    assert (mai.last_own_entry() or last).position == 76

    assert admin.retract(75, "logged for the wrong officer").position == 77
    undo = admin.last_own_entry()
    assert undo is not None and undo.position == 77 and undo.words.startswith("Event retracted: position: 75; reason: logged for the wrong officer")

    assert admin.retract(76, "not po.brown's").position == 78
    assert mai.last_own_entry() is None  # 76 no longer counts
    assert admin.retract(78, "it was po.brown's after all").position == 79
    assert (mai.last_own_entry() or last).position == 76  # revived: mai's to undo again
    assert last_own_entry(open_application(url), SCENARIO_ADMIN, utc_now() + dt.timedelta(hours=25), OWN_ENTRY_WINDOW) is None


def test_a_quarantined_entry_is_not_offered_to_undo(tmp_path: Path) -> None:
    url = _store(tmp_path)
    state = msgspec.json.encode(
        {
            "recorded_at": utc_now().isoformat(),
            "occurred_at": "2026-03-23T12:00:00+00:00",
            "recorded_by": SCENARIO_ADMIN,
            "at_site": "on-hyb",
            "data": {"officer": "po.adams", "category": "clerical", "minutes": 45},
        }
    )
    forged = append_by_hand(url, "AddOnTaskLogged", state, key=open_application(url).ledger_key, chained=False)
    assert forged == 75
    admin = Ledger.open(url, clock=Clock(T0), login=SCENARIO_ADMIN)
    last = admin.last_own_entry()
    assert last is not None and last.position == 74
    assert [event.position for event in admin.quarantine()[0]] == [75]


def test_an_entry_is_said_in_words_to_whoever_may_read_it(tmp_path: Path) -> None:
    """Line 33 (po.brown's 45-minute unwarranted case review of off-002, recorded by po.brown):
    the admin reads it in words; mai (linked to po.brown) too, as it is an event of po.brown's;
    a position past the head is no entry."""
    url = _store(tmp_path)
    admin = Ledger.open(url, clock=Clock(T0), login=SCENARIO_ADMIN)
    review = admin.entry(33)
    assert review is not None
    assert review.words == (
        "Add-on task logged: officer: po.brown; category: unwarranted case review; minutes: 45; offender: off-002 — occurred 2026-02-11, recorded by po.brown (position 33)"
    )
    assert Ledger.open(url, clock=Clock(T0), login="mai").entry(33) == review
    assert admin.entry(10_000) is None
