"""The Case file's state panel (issue #24, point 5): a case's state as the ledger knew it at an
instant, worked out by hand from ``fixtures/scenario.jsonl`` and checked on both stores.

The store: the scenario's 72 lines (line N = log position N), each recorded at 12:00 UTC on the
day after its occurred date (the date written in its ``occurred_at``), then two back-dated entries
recorded on 2026-03-22, after every scenario line:

* position 73: ``CaseAssigned`` off-001 → po.brown, occurred 2026-01-15, recorded 2026-03-22T12:00:00Z;
* position 74: ``ReleasePlanStep`` off-001 ``housing_secured``, occurred 2026-01-14, recorded 2026-03-22T12:00:01Z.

The case is **off-001**: admitted to on-hyb (an institution, line 1) on 2026-01-06 (line 11:
sentence_start 2023-04-11, full_parole_eligibility 2026-03-01, statutory_release 2027-02-10,
warrant_expiry 2029-04-10, factors mental_health and housing_instability), assigned to po.adams
(line 12). Its deadlines (rules ``current``, opened by line 11):

* preliminary_assessment: sentence_start 2023-04-11 (a Tuesday, not a holiday: Easter Monday was
  04-10) as working day 1, + 5 working days → Tue 11, Wed 12, Thu 13, Fri 14, Mon 17: due
  **2023-04-17**; never completed (no ``CaseTaskCompleted``);
* correctional_plan: warrant_expiry 2029-04-10 is after sentence_start + 4 years (2027-04-11), so
  the long sentence's 90 days: 2026-01-06 + 90 = **2026-04-06**; never completed;
* release_plan_start: the eligibility dates after the admission are full parole 2026-03-01 and
  statutory release 2027-02-10 (day parole 2025-09-11 is before it): 2026-03-01 − 180 days =
  **2025-09-02**; completed by the plan of line 23 (2026-01-12).

**R_A = 2026-01-10T00:00Z**, T = R_A (T's date at on-hyb, Toronto, EST: 2026-01-09 19:00 →
**2026-01-09**). Known: the lines recorded by then, i.e. occurred on or before 2026-01-08: lines
1–22. off-001: po.adams (line 12), in custody at on-hyb, factors housing_instability and
mental_health (line 11), no plan (line 23 is recorded 2026-01-13), no SIU, no transfer. Open
deadlines, overdue first then by due date: preliminary_assessment overdue (2023-04-17),
release_plan_start overdue (2025-09-02), correctional_plan open (2026-04-06: 87 days ahead, more
than the 7 of "due soon").

**R_B = 2026-03-10T00:00Z**, T = R_B (2026-03-09 in Toronto, EDT from 03-08). Known: lines 1–48
(line 49 occurred 03-09, recorded 03-10T12Z; positions 73–74 recorded 03-22). off-001: released
(line 47, 03-06) to on-cpo, a community office (line 4), assigned to po.diaz (line 48); factors
mental_health only (line 40 cleared housing_instability; line 52's substance_use occurred 03-10);
plan: the restart of line 26 — full_parole to "private residence, Kingston" (on-cpo), started
2026-01-26 — with no step; no SIU, no transfer; **no open deadline**: the release made
preliminary_assessment and correctional_plan moot, release_plan_start was completed.

**The back-dated entries**, at T = 2026-01-20 (a bare date: the end of that day at the case's
site). As known at **R_K = 2026-03-21T18:00Z** (every scenario line, not positions 73–74):
po.adams (line 12; line 24 reassigns off-002, not off-001), plan day_parole to "Kingston halfway
house" started 2026-01-12 (line 23; the restart of line 26 is later than T) with no step. As known
now (the clock: 2026-03-25): po.brown (position 73, 01-15, after line 12) and the plan's last step
housing_secured on 2026-01-14 (position 74, after the plan of 01-12).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import msgspec
import pytest

from caseledger.application.imports import import_lines
from caseledger.application.ledger import CaseState, Ledger
from caseledger.domain.model.clock import Clock
from caseledger.domain.model.times import LocalDay
from caseledger.domain.store.application import open_application
from caseledger.projections.screens.case import OpenDeadline
from tests.support.paths import SCENARIO

NOW = dt.datetime(2026, 3, 25, 12, 0, tzinfo=dt.UTC)
R_A = dt.datetime(2026, 1, 10, 0, 0, tzinfo=dt.UTC)
R_B = dt.datetime(2026, 3, 10, 0, 0, tzinfo=dt.UTC)
R_K = dt.datetime(2026, 3, 21, 18, 0, tzinfo=dt.UTC)
BACK_DATED = [
    {
        "type": "CaseAssigned",
        "occurred_at": "2026-01-15",
        "by": "mai.evans",
        "offender": "off-001",
        "officer": "po.brown",
        "recorded_at": "2026-03-22T12:00:00+00:00",
    },
    {
        "type": "ReleasePlanStep",
        "occurred_at": "2026-01-14",
        "by": "po.adams",
        "offender": "off-001",
        "step": "housing_secured",
        "recorded_at": "2026-03-22T12:00:01+00:00",
    },
]


def _recorded_next_day(raw: bytes) -> bytes:
    """A scenario line recorded at 12:00 UTC on the day after the date its ``occurred_at`` names."""
    line = msgspec.json.decode(raw)
    occurred = dt.date.fromisoformat(line["occurred_at"][:10])
    line["recorded_at"] = dt.datetime.combine(occurred + dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC).isoformat()
    return msgspec.json.encode(line)


@pytest.fixture
def ledger(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    lines = [_recorded_next_day(raw) for raw in SCENARIO.read_bytes().splitlines()] + [msgspec.json.encode(line) for line in BACK_DATED]
    import_lines(open_application(store_url), lines, "importer", keep_recorded=True)
    return Ledger.open(store_url, clock=Clock(NOW), login="hq.admin")  # the first line's recorder: the store's first user, an admin


def _deadlines(state: CaseState) -> list[tuple[str, str, dt.date]]:
    return [(found.deadline, found.status, found.due_on) for found in state.case.deadlines]


def test_before_the_plan_the_case_is_in_custody_with_three_deadlines_open(ledger: Ledger) -> None:
    state = ledger.case_state("off-001", known_at=R_A)
    case = state.case
    assert (state.as_of, state.known_at, case.today) == (R_A, R_A, dt.date(2026, 1, 9))
    assert (case.officer, case.location, case.location_kind, case.in_custody) == ("po.adams", "on-hyb", "institution", True)
    assert case.factors == ("housing_instability", "mental_health")
    assert (state.plan, case.plan_started_on, case.stay, case.transfers) == (None, None, None, ())
    assert _deadlines(state) == [
        ("preliminary_assessment", "overdue", dt.date(2023, 4, 17)),
        ("release_plan_start", "overdue", dt.date(2025, 9, 2)),
        ("correctional_plan", "open", dt.date(2026, 4, 6)),
    ]
    assert case.deadlines[-1] == OpenDeadline("correctional_plan", "open", dt.date(2026, 4, 6), 87)


def test_after_the_release_the_case_is_in_the_community_with_its_plan_and_no_deadline(ledger: Ledger) -> None:
    state = ledger.case_state("off-001", known_at=R_B)
    case = state.case
    assert case.today == dt.date(2026, 3, 9)
    assert (case.officer, case.location, case.location_kind, case.in_custody) == ("po.diaz", "on-cpo", "community_office", False)
    assert case.factors == ("mental_health",)
    assert state.plan is not None
    assert (state.plan.release_type, state.plan.destination, state.plan.destination_site, state.plan.started_on) == (
        "full_parole",
        "private residence, Kingston",
        "on-cpo",
        dt.date(2026, 1, 26),
    )
    assert (state.plan.last_step, case.plan_started_on) == (None, dt.date(2026, 1, 26))
    assert (case.stay, case.transfers, case.deadlines) == (None, (), ())


def test_an_entry_recorded_after_the_known_at_instant_does_not_show(ledger: Ledger) -> None:
    day = LocalDay(dt.date(2026, 1, 20))
    then = ledger.case_state("off-001", as_of=day, known_at=R_K)
    assert then.case.officer == "po.adams"
    assert then.plan is not None and (then.plan.release_type, then.plan.destination, then.plan.started_on, then.plan.last_step) == (
        "day_parole",
        "Kingston halfway house",
        dt.date(2026, 1, 12),
        None,
    )
    now = ledger.case_state("off-001", as_of=day)
    assert now.case.officer == "po.brown"
    assert now.plan is not None and (now.plan.release_type, now.plan.last_step, now.plan.last_step_on) == (
        "day_parole",
        "housing_secured",
        dt.date(2026, 1, 14),
    )


def test_a_case_not_admitted_by_the_known_at_instant_has_no_state(ledger: Ledger) -> None:
    """off-007 is admitted by line 38 (2026-02-23, recorded 02-24): not known at R_A."""
    state = ledger.case_state("off-007", known_at=R_A)
    assert not state.case.admitted and state.case.officer is None and state.plan is None
    assert ledger.case_state("off-007", known_at=R_B).case.officer == "po.adams"
