"""Issue #23, points 2 and 3 (findings F1, F2): no figure from a log that does not authenticate,
and no rebuild from it; a log that no longer extends what a client saw is refused.

Worked by hand on the scenario (72 events; position 33 is po.brown's 45-minute unwarranted case
review, line 33 of fixtures/scenario.jsonl):

* F1, laundering: a DBA with no key makes it 700 minutes and recomputes the chain from 33 on. The
  public chain is whole, but entries 33–72 keep MACs made over the old heads. The read models
  were sealed at 72 with the old head, and the client remembers (72, old head): the next export's
  witness (or, for a client that never read it, the seal) notices at 72, and a walk of the log
  with the key names where the rewrite starts → exit 1 naming 33, saying what was noticed at 72
  (nothing rebuilt, nothing on stdout); with the seal table dropped first, the repair walks the
  log before clearing anything → exit 1 naming 33. ``verify``: positions 33–72.
* F2, append: a copy of event 72 appended as 73 with a correct public chain entry and no MAC →
  the catch-up authenticates 73 before applying it → exit 1 naming 73.
* A cache-only tamper (a seal's row count edited) over an authentic log is repaired from the log:
  exit 0, the same rows as before, and a warning saying so.
* The witness: the client exported at 72 and remembered (72, head). The store file is replaced
  by a copy taken at 60 (a rollback): every read is refused naming 72 — before any figure; a
  user whose clients never saw the newer state is not protected (the residual risk, named in
  docs/security.md): with a fresh config folder the old copy reads as a store.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from caseledger.cli.main import main
from tests.support.paths import ROOT
from tests.support.tampering import rewrite_consistently, sql

SCENARIO = ROOT / "fixtures" / "scenario.jsonl"
REVIEW = 33
HEAD = 72


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("LOGNAME", "clerk")
    return tmp_path / "config" / "caseledger"


def _run(url: str, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--store", url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def _exported(url: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert _run(url, capsys, "import", str(SCENARIO))[0] == 0
    code, out, err = _run(url, capsys, "export", "workload")
    assert code == 0, err
    return out


def _alarm(result: tuple[int, str, str], position: int, why: str = "") -> None:
    code, out, err = result
    assert code == 1, err
    assert out == ""
    assert err.count("\n") == 1 and f"the log does not authenticate at position {position}: {why}" in err, err


def test_a_laundered_edit_is_an_alarm_not_a_rebuild(store_url: str, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _exported(store_url, capsys)
    rewrite_consistently(store_url, REVIEW, b'"minutes":45', b'"minutes":700')
    seen = _run(store_url, capsys, "export", "workload")  # the client's witness notices at 72; the walk names where it starts
    _alarm(seen, REVIEW, "the chain entry's MAC is not the ledger key's")
    assert f"at position {HEAD}: the chain head here is not the one this client saw" in seen[2]
    shutil.rmtree(config / "seen")  # a client that never read this store: the seals notice
    sealed = _run(store_url, capsys, "export", "addon_burden")
    _alarm(sealed, REVIEW, "the chain entry's MAC is not the ledger key's")
    assert f"at position {HEAD}: read model cl_timeline was sealed at a chain head this log no longer holds there" in sealed[2]
    assert sql(store_url, "SELECT position FROM cl_tracking WHERE name = 'addons'") == [(HEAD,)]  # nothing rebuilt
    code, out, _ = _run(store_url, capsys, "verify")
    assert code == 1 and f"BROKEN at positions {REVIEW}–{HEAD} ({HEAD - REVIEW + 1} entries)" in out, out
    code, out, _ = _run(store_url, capsys, "status")
    assert f"the log does not authenticate at position {REVIEW}" in out, out


def test_a_laundered_edit_after_dropping_the_seals_is_an_alarm(store_url: str, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _exported(store_url, capsys)
    sql(store_url, "DROP TABLE cl_seals")
    rewrite_consistently(store_url, REVIEW, b'"minutes":45', b'"minutes":700')
    shutil.rmtree(config / "seen")  # a client that never read this store: the walk before any repair tells
    _alarm(_run(store_url, capsys, "export", "workload"), REVIEW, "the chain entry's MAC is not the ledger key's")
    assert sql(store_url, "SELECT position FROM cl_tracking WHERE name = 'addons'") == [(HEAD,)]  # nothing cleared


def test_an_appended_event_without_the_key_is_an_alarm(store_url: str, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.domain.test_ledger_macs import append_copy

    _exported(store_url, capsys)
    assert append_copy(store_url, mac=None) == HEAD + 1
    _alarm(_run(store_url, capsys, "export", "workload"), HEAD + 1)
    assert sql(store_url, "SELECT position FROM cl_tracking WHERE name = 'timeline'") == [(HEAD,)]


def test_a_cache_only_tamper_is_repaired_from_the_authentic_log(
    store_url: str, config: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    before = _exported(store_url, capsys)
    sql(store_url, "UPDATE cl_seals SET rows = rows + 1 WHERE name = 'cl_addons'")
    code, out, err = _run(store_url, capsys, "export", "workload")
    assert code == 0, err
    assert out == before
    assert "read model cl_addons: its seal fails its MAC" in caplog.text and "every read model is rebuilt from the log (which authenticates)" in caplog.text


def test_a_rollback_to_an_older_copy_is_refused_once_a_client_saw_the_newer_log(
    sqlite_url: str, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    lines = SCENARIO.read_bytes().splitlines(keepends=True)
    first = tmp_path / "first.jsonl"
    first.write_bytes(b"".join(lines[:60]))
    rest = tmp_path / "rest.jsonl"
    rest.write_bytes(b"".join(lines[60:]))
    assert _run(sqlite_url, capsys, "import", str(first))[0] == 0
    sql(sqlite_url, "PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(path, tmp_path / "older.db")
    assert _run(sqlite_url, capsys, "import", str(rest))[0] == 0
    assert _run(sqlite_url, capsys, "export", "workload")[0] == 0  # this client saw 72

    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(tmp_path / "older.db", path)
    code, out, err = _run(sqlite_url, capsys, "export", "workload")
    assert code == 1 and out == "" and f"the log does not authenticate at position {HEAD}: this client saw the log reach this position" in err, err
    code, out, _ = _run(sqlite_url, capsys, "verify")
    assert code == 1 and f"BROKEN at position {HEAD}: this client saw the log reach this position" in out, out

    (config / "seen").rename(tmp_path / "elsewhere")  # a user whose clients never saw 72: the residual risk
    code, out, err = _run(sqlite_url, capsys, "export", "workload")
    assert code == 0, err


def test_a_cut_tail_with_the_read_models_dropped_is_caught_by_the_witness(store_url: str, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without the seals (dropped with every read model, so the store looks never projected) only
    the client's witness knows the log reached 72."""
    _exported(store_url, capsys)
    sql(store_url, f"DELETE FROM cl_chain WHERE position > {HEAD - 5}")
    events, position = ("stored_events", "rowid") if store_url.startswith("sqlite") else ("caseledger_events", "notification_id")
    if not store_url.startswith("sqlite"):
        sql(store_url, "ALTER TABLE caseledger_events DISABLE TRIGGER USER")
    sql(store_url, f"DELETE FROM {events} WHERE {position} > {HEAD - 5}")
    for table in ("cl_seals", "cl_tracking", "cl_timeline", "cl_addons"):
        sql(store_url, f"DROP TABLE {table}")
    code, out, err = _run(store_url, capsys, "export", "workload")
    assert code == 1 and out == "" and f"at position {HEAD}: this client saw the log reach this position" in err, err


def test_a_state_rewritten_as_text_stops_a_rebuild_with_the_alarm(sqlite_url: str, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """SQLite's ``replace()`` on a BLOB stores TEXT: the rebuild read it as bytes and died with an
    "unexpected TypeError"; it is an edited event, named, and nothing is rebuilt."""
    before = _exported(sqlite_url, capsys)
    sql(sqlite_url, f"UPDATE stored_events SET state = replace(state, '\"minutes\":45', '\"minutes\":700') WHERE rowid = {REVIEW}")
    assert sql(sqlite_url, f"SELECT typeof(state) FROM stored_events WHERE rowid = {REVIEW}") == [("text",)]
    _alarm(_run(sqlite_url, capsys, "rebuild"), REVIEW, "the event's stored bytes differ from when it was recorded")
    code, out, _ = _run(sqlite_url, capsys, "export", "workload")  # the read models built from what was recorded
    assert code == 0 and out == before


def test_an_event_deleted_under_its_chain_entry_stops_a_rebuild_naming_it(store_url: str, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A rebuild reads each batch's events joined to their chain rows and counts the range's chain
    rows: 72 entries for 71 events is an entry whose event is gone — the range is walked as the
    log is now, which names 33 as missing (the join alone would only see 34 not follow from 32)."""
    _exported(store_url, capsys)
    events, position = ("stored_events", "rowid") if store_url.startswith("sqlite") else ("caseledger_events", "notification_id")
    if not store_url.startswith("sqlite"):
        sql(store_url, "ALTER TABLE caseledger_events DISABLE TRIGGER USER")
    sql(store_url, f"DELETE FROM {events} WHERE {position} = {REVIEW}")
    _alarm(_run(store_url, capsys, "rebuild"), REVIEW, "the event for this chain entry is missing (deleted?)")
    assert sql(store_url, "SELECT position FROM cl_tracking WHERE name = 'addons'") == [(HEAD,)]  # nothing rebuilt
