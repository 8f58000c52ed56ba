"""Several processes at once, and processes killed mid-work: nothing lost, nothing doubled."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import msgspec
import pytest

from caseledger.application.imports import import_lines
from caseledger.domain.integrity.verify import verify
from caseledger.domain.store.application import open_application
from caseledger.domain.store.log import read_log
from caseledger.fixtures.generate import generate
from caseledger.projections.engine.projector import Projector
from caseledger.projections.replay.facts import View
from tests.support.commands import ScriptedService
from tests.support.generated import GENERATED_UNTIL
from tests.support.paths import ROOT
from tests.support.projection_helpers import everything

pytestmark = pytest.mark.slow  # every test here starts processes

SCENARIO = ROOT / "fixtures" / "scenario.jsonl"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def python(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_four_writer_processes_on_overlapping_cases(store_url: str) -> None:
    app = open_application(store_url)
    import_lines(app, SCENARIO.read_bytes().splitlines(), "importer")
    admin = ScriptedService(app, "importer")  # the store's first user
    for n in range(4):
        admin.grant(f"writer{n}", "admin", occurred_at="2026-03-20")
    head = app.head_position()
    writers = [python("-m", "tests.support.writer", store_url, f"writer{n}", "--commands", "150", "--seed", str(n)) for n in range(4)]
    reports = []
    for writer in writers:
        out, err = writer.communicate(timeout=600)
        assert writer.returncode == 0, err.decode()[-2000:]
        reports.append(msgspec.json.decode(out))
    recorded = [event for event in read_log(app) if event.position > head]
    by_position = {event.position: event for event in recorded}
    for report in reports:
        assert len(report["positions"]) + report["refused"] == 150
        assert all(by_position[p].envelope.recorded_by == report["user"] for p in report["positions"])
    accepted = [p for report in reports for p in report["positions"]]
    assert sorted(accepted) == sorted(by_position)  # every accepted command exactly once, nothing else
    expected: Counter[str] = Counter()
    for report in reports:  # on PostgreSQL all four are the database login
        expected[report["user"]] += len(report["positions"])
    assert Counter(event.envelope.recorded_by for event in recorded) == expected
    assert verify(app).ok
    projector = Projector(app)
    view = View()
    incremental = everything(app, view)
    projector.rebuild()
    assert everything(app, view) == incremental


def _kill_after(process: subprocess.Popen[bytes], seconds: float) -> None:
    time.sleep(seconds)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)


def test_a_killed_import_is_all_or_nothing(store_url: str, tmp_path: Path) -> None:
    lines = tmp_path / "big.jsonl"
    lines.write_bytes(b"".join(msgspec.json.encode(line) + b"\n" for line in generate(60_000, seed=9, until=GENERATED_UNTIL)))
    app = open_application(store_url)
    import_lines(app, SCENARIO.read_bytes().splitlines(), "importer")
    before = app.head_position()
    rng = random.Random(4)
    for attempt in range(3):
        importer = python("-m", "caseledger.cli.main", "--store", store_url, "import", "--keep-recorded", str(lines))
        _kill_after(importer, rng.uniform(0.3, 2.5))
        head = open_application(store_url).head_position()
        assert head in (before, before + 60_000), (attempt, head)
        assert verify(open_application(store_url)).ok
        if head != before:
            break
    reopened = open_application(store_url)
    assert reopened.head_position() in (before, before + 60_000)


def test_a_killed_rebuild_resumes_and_equals_a_clean_rebuild(store_url: str) -> None:
    app = open_application(store_url)
    import_lines(app, [msgspec.json.encode(line) for line in generate(40_000, seed=12, until=GENERATED_UNTIL)], "importer", keep_recorded=True)
    view = View()
    Projector(app).catch_up()
    expected = everything(app, view)
    rng = random.Random(8)
    for _ in range(3):
        rebuild = python("-m", "caseledger.cli.main", "--store", store_url, "rebuild")
        _kill_after(rebuild, rng.uniform(0.3, 1.5))
    resumed = Projector(open_application(store_url))
    resumed.catch_up()
    assert everything(open_application(store_url), view) == expected
