"""The demo's deadlines read like a working office's (issue #21): most work on time, a minority
late by days or weeks, a few overdue — not "677 days late".

One demo (seed 1, made on 2026-11-30: a fixed day, so no test reads the clock) is imported once
into a real SQLite store and its ``deadlines`` exported at noon UTC that day, as an analyst would
(the projection is the same on PostgreSQL: the report and projection tests compare the stores).
The shares are of the instances due by then — met + late + overdue; open, moot and superseded
ones aside — and their ranges are those :mod:`caseledger.fixtures.generate` documents.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pytest

from caseledger.application.exports import ExportSpec, export_projection
from caseledger.application.imports import import_lines
from caseledger.application.ledger import Ledger
from caseledger.domain.model.clock import Clock
from caseledger.domain.store.application import open_application
from caseledger.fixtures.demo import demo_lines
from caseledger.fixtures.generate import generate
from caseledger.projections.catalogue.deadlines import COMPLETING

pytestmark = pytest.mark.slow

TODAY = dt.date(2026, 11, 30)
NOW = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)
LOADER = "loader"

BUSY = ((0.75, 0.90), (0.10, 0.25), 0.03)
"""Met and late share ranges and the largest overdue share of a deadline with hundreds of
instances a year (preliminary assessment, correctional plan, release plan start, board
information)."""
RARE = ((0.70, 0.95), (0.05, 0.25), 0.05)
"""The same for the deadlines with under 200 instances a year (SIU reviews, transfer decisions)."""
SHARES = {
    "preliminary_assessment": BUSY,
    "correctional_plan": BUSY,
    "release_plan_start": BUSY,
    "board_information": BUSY,
    "siu_first_review": RARE,
    "siu_commissioner_review": RARE,
    "transfer_decision": RARE,
}
MOST_DAYS_LATE = 60
"""No preliminary assessment is later than this, and nothing is overdue by more: an officer's Due
list that said "677 days late" would make a reader dismiss the demo."""


@dataclass(frozen=True)
class Demo:
    lines: list[dict[str, Any]]
    deadlines: list[dict[str, str]]

    def counted(self) -> dict[str, Counter[str]]:
        """Each deadline's instances by status."""
        found: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for row in self.deadlines:
            found[row["deadline"]][row["status"]] += 1
        return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    folder: Path = tmp_path_factory.mktemp("demo-data")
    raw = list(demo_lines(1, TODAY))
    url = f"sqlite:///{folder}/demo.db"
    import_lines(open_application(url), raw, LOADER, keep_recorded=True)
    output = folder / "deadlines.csv"
    session = Ledger.open(url, LOADER, clock=Clock(NOW))
    export_projection(session.projector, ExportSpec.of("deadlines", now=NOW), fmt="csv", output=str(output), deidentified=False)
    with open(output, newline="") as handle:
        rows = list(csv.DictReader(handle))
    return Demo([msgspec.json.decode(line) for line in raw], rows)


def test_every_admission_comes_1_to_30_days_after_the_sentence_began(demo: Demo) -> None:
    admissions = [line for line in demo.lines if line["type"] == "OffenderAdmitted"]
    waits = Counter((dt.date.fromisoformat(line["occurred_at"]) - dt.date.fromisoformat(line["sentence_start"])).days for line in admissions)
    assert len(admissions) > 900  # the standing ~600 and a year's arrivals
    assert min(waits) >= 1 and max(waits) <= 30, sorted(waits)


@pytest.mark.parametrize("deadline", sorted(SHARES))
def test_each_deadline_is_met_mostly_late_sometimes_and_rarely_overdue(demo: Demo, deadline: str) -> None:
    statuses = demo.counted()[deadline]
    due = statuses["met"] + statuses["late"] + statuses["overdue"]
    (met_low, met_high), (late_low, late_high), overdue_most = SHARES[deadline]
    assert due >= 50, statuses  # enough completions the projection counts for a share to mean something
    assert met_low <= statuses["met"] / due <= met_high, statuses
    assert late_low <= statuses["late"] / due <= late_high, statuses
    assert statuses["overdue"] / due <= overdue_most, statuses


def test_every_deadline_of_the_rules_appears_and_the_due_lists_have_some_overdue(demo: Demo) -> None:
    counted = demo.counted()
    assert set(counted) == set(COMPLETING) == set(SHARES)
    assert sum(statuses["overdue"] for statuses in counted.values()) >= 3


def test_nothing_is_months_late(demo: Demo) -> None:
    assessments = [int(row["days_late"]) for row in demo.deadlines if row["deadline"] == "preliminary_assessment" and row["days_late"]]
    overdue = [int(row["days_late"]) for row in demo.deadlines if row["status"] == "overdue"]
    assert assessments and max(assessments) <= MOST_DAYS_LATE
    assert overdue and max(overdue) <= MOST_DAYS_LATE


def test_the_generator_is_deterministic_and_ends_where_it_is_told() -> None:
    """Same seed and day, same lines; nothing occurs after the day before yesterday of ``until``
    nor is recorded on it: a unit's first three days, made on its fifth."""
    until = dt.date(2024, 1, 5)
    first, again = list(generate(2000, 3, until=until)), list(generate(2000, 3, until=until))
    assert first == again
    assert max(line["occurred_at"][:10] for line in first) == "2024-01-03"
    assert max(dt.datetime.fromisoformat(line["recorded_at"]) for line in first) < dt.datetime(2024, 1, 5, tzinfo=dt.UTC)
