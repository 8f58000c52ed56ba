"""Issue #23 F3, F4 and F12 as the review did them: an officer's login writes events by hand (SQL
on PostgreSQL as po.chen's own database login; on SQLite straight into the file), each with a
correct chain row but the last. The read side quarantines them, names them in ``status`` and
``verify``, keeps serving the figures of the log without them, and the admin retracts one.

Hand-worked, on the people's scenario (tests/support/people.py; position 1 is the admin's
``SiteRegistered`` of on-hyb, an institution with po.adams and its offenders):

======  ==============================================================  ===========================
event   written by po.chen (an officer linked to po.chen)               judged
======  ==============================================================  ===========================
F3      AddOnTaskLogged po.chen, ``"minutes": "lots"``                  quarantined: does not decode
F4      EventRetracted of position 1, reason "closed"                   quarantined: refused —
                                                                        an officer retracts only their
                                                                        own entries, within 24 hours
F12     AddOnTaskLogged po.chen, 45 minutes, **no chain row**           quarantined: no chain row
======  ==============================================================  ===========================

Every export therefore equals its output before the three were written (on-hyb and its rows
included). Then the admin retracts F3 (``caseledger retract``: an unreadable event, which only
an admin may retract) and ``status`` lists it as retracted.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import pytest

from caseledger.domain.store.application import open_application
from tests.support.forgery import append_by_hand, envelope
from tests.support.people import Staffed, staffed
from tests.support.stores import NewStore

pytestmark = pytest.mark.slow  # every test here starts processes

EXPORTS = ("workload", "addon_burden", "staffing", "coverage")


@pytest.fixture
def people(new_store: NewStore) -> Iterator[Staffed]:
    yield staffed(new_store())


def _exports(store: Staffed) -> dict[str, bytes]:
    found = {}
    for name in EXPORTS:
        done = store.cli(store.admin, "export", name, "--as-of", "2026-06-30", "--format", "jsonl")
        assert done.returncode == 0, done.stderr
        found[name] = done.stdout
    return found


def _ok(done: subprocess.CompletedProcess[bytes]) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout.decode()


def test_events_an_officer_writes_by_hand_are_quarantined_named_and_retractable(people: Staffed) -> None:
    before = _exports(people)
    chen = people.url_for("po.chen")
    key = open_application(people.url).ledger_key  # po.chen's client holds the cache key, whence the ledger key
    addon = {"officer": "po.chen", "category": "clerical"}
    poison = append_by_hand(chen, "AddOnTaskLogged", envelope("po.chen", {**addon, "minutes": "lots"}, at_site="on-max"), key=key)
    retraction = append_by_hand(chen, "EventRetracted", envelope("po.chen", {"position": 1, "reason": "closed"}, at_site="on-hyb"), key=key)
    unchained = append_by_hand(chen, "AddOnTaskLogged", envelope("po.chen", {**addon, "minutes": 45}, at_site="on-max"), key=key, chained=False)

    assert _exports(people) == before  # exit 0, and the figures of the log without them

    status = _ok(people.cli(people.admin, "status"))
    assert f"QUARANTINED position {poison}: AddOnTaskLogged by po.chen: does not decode: Expected `int`, got `str` - at `$.data.minutes`" in status
    assert f"QUARANTINED position {retraction}: EventRetracted by po.chen: refused: an officer retracts only their own entries" in status
    assert f"QUARANTINED position {unchained}: AddOnTaskLogged by po.chen: no chain row: written outside the ledger" in status
    verified = people.cli(people.admin, "verify").stdout.decode()  # the chain break at F12 is the lead's to report
    for position in (poison, retraction, unchained):
        assert f"QUARANTINED position {position}: " in verified

    refused = people.cli("sup.hyb", "retract", str(poison), "--reason", "forged")
    assert refused.returncode == 2 and b"only an admin may retract it" in refused.stderr
    _ok(people.cli(people.admin, "retract", str(poison), "--reason", "written by hand around the program"))
    status = _ok(people.cli(people.admin, "status"))
    assert f"retracted, quarantined position {poison}: AddOnTaskLogged by po.chen" in status
    assert f"QUARANTINED position {retraction}: " in status
    assert _exports(people) == before


def test_a_checkpoint_signs_over_quarantined_breaks_and_says_so(people: Staffed) -> None:
    """F12's event has no chain entry: ``verify`` names the break, ``checkpoint`` signs the log once
    the read side has quarantined it — naming it in the signed file — and not before (a break no
    read model has judged yet is refused)."""
    chen = people.url_for("po.chen")
    key = open_application(people.url).ledger_key
    unchained = append_by_hand(
        chen, "AddOnTaskLogged", envelope("po.chen", {"officer": "po.chen", "category": "clerical", "minutes": 45}), key=key, chained=False
    )
    refused = people.cli(people.admin, "checkpoint")  # nothing has read the event yet: not judged, not signed over
    assert refused.returncode == 2 and f"the chain is broken at position {unchained}: an event with no chain entry".encode() in refused.stderr, refused.stderr
    verified = people.cli(people.admin, "verify")
    assert verified.returncode == 1 and f"BROKEN at position {unchained}: an event with no chain entry".encode() in verified.stdout
    _ok(people.cli(people.admin, "status"))  # any reading judges it: quarantined
    _ok(people.cli(people.admin, "export", "workload"))
    signed = json.loads(_ok(people.cli(people.admin, "checkpoint")))
    assert signed["quarantined"] == [unchained]
