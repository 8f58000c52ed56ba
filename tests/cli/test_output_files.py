"""Issue #23 F6: ``--output`` never replaces an existing file unless ``--force`` is given, never
the store, its journal, WAL or shared memory, nor a key file, whatever the flags; a symbolic link
is never followed (with ``--force`` the link itself is replaced); ``-o -`` is standard output.

Run in-process (``main([...])``): every refusal is one line on stderr naming ``--output``, exit 2,
and the file it named keeps its bytes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from caseledger.cli.main import main
from caseledger.domain.errors import DomainError
from caseledger.projections.output.targets import output_target
from tests.support.paths import ROOT

SCENARIO = ROOT / "fixtures" / "scenario.jsonl"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user config folder of the test's own (where the cache key and checkpoint key go), one login."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("LOGNAME", "clerk")
    return tmp_path / "config" / "caseledger"


def _imported(url: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["--store", url, "import", str(SCENARIO)]) == 0
    capsys.readouterr()
    return url


def _refused(capsys: pytest.CaptureFixture[str], flag: str, words: str) -> None:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(f"caseledger: {flag}: ") and words in err, err


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_existing_export_file_is_replaced_only_with_force(store_url: str, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = _imported(store_url, capsys)
    out = tmp_path / "workload.csv"
    out.write_bytes(b"an analyst's own notes\n")
    assert main(["--store", url, "export", "workload", "-o", str(out)]) == 2
    _refused(capsys, "--output", "exists: choose another name, or give --force to replace it")
    assert out.read_bytes() == b"an analyst's own notes\n"
    assert not Path(f"{out}.meta.json").exists()
    assert main(["--store", url, "export", "workload", "-o", str(out), "--force"]) == 0
    assert out.read_bytes().startswith(b"officer,")
    assert Path(f"{out}.meta.json").is_file()


def test_an_existing_sidecar_is_an_existing_file(sqlite_url: str, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = _imported(sqlite_url, capsys)
    sidecar = tmp_path / "workload.csv.meta.json"
    sidecar.write_text("{}")
    assert main(["--store", url, "export", "workload", "-o", str(tmp_path / "workload.csv")]) == 2
    _refused(capsys, "--output", "workload.csv.meta.json exists")
    assert sidecar.read_text() == "{}" and not (tmp_path / "workload.csv").exists()


@pytest.mark.parametrize("force", [[], ["--force"]], ids=["plain", "forced"])
def test_the_store_and_its_files_are_never_written_over(
    sqlite_url: str, config: Path, tmp_path: Path, force: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = _imported(sqlite_url, capsys)
    store = Path(url.removeprefix("sqlite:///"))
    (tmp_path / "elsewhere").mkdir()
    hard = tmp_path / "elsewhere" / "hard.db"
    os.link(store, hard)
    soft = tmp_path / "elsewhere" / "soft.db"
    soft.symlink_to(store)
    for target in (store, tmp_path / "elsewhere" / ".." / store.name, hard, soft, Path(f"{store}-wal"), Path(f"{store}-journal"), Path(f"{store}-shm")):
        assert main(["--store", url, "export", "workload", "-o", str(target), *force]) == 2, target
        _refused(capsys, "--output", "is the store, one of its files or a key: caseledger never writes over it")
    assert main(["--store", url, "checkpoint", "-o", str(store), *force]) == 2
    _refused(capsys, "--output", "is the store")
    _still_the_store(store, url, capsys)


def _still_the_store(store: Path, url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The store file is still a SQLite database holding the scenario's events, its chain intact
    (its bytes may change: a command that reads it catches up its read models)."""
    assert store.read_bytes()[:16] == b"SQLite format 3\x00"
    assert main(["--store", url, "verify"]) == 0
    assert capsys.readouterr().out.startswith(f"intact: {len(SCENARIO.read_bytes().splitlines())} events")


def test_a_report_never_replaces_the_store(sqlite_url: str, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = _imported(sqlite_url, capsys)
    store = Path(url.removeprefix("sqlite:///"))
    disguised = tmp_path / "store.html"
    disguised.symlink_to(store)
    assert main(["--store", url, "report", "--from", "2026-01-05", "--to", "2026-03-20", "-o", str(disguised), "--force"]) == 2
    _refused(capsys, "--output", "is the store")
    _still_the_store(store, url, capsys)


def test_no_key_file_is_ever_written_over(
    sqlite_url: str, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _imported(sqlite_url, capsys)
    signing = tmp_path / "keys" / "sign.pem"
    assert main(["--store", url, "checkpoint", "--key", str(signing), "-o", str(tmp_path / "first.json")]) == 0
    assert main(["--store", url, "checkpoint", "-o", str(tmp_path / "second.json")]) == 0  # creates the default signing key
    store_key = tmp_path / "store.key"
    store_key.write_text("not used: the store is plain\n")
    monkeypatch.setenv("CASELEDGER_CACHE_KEY_FILE", str(config / "cache-key"))
    capsys.readouterr()
    keys = [config / "cache-key", config / "checkpoint-ed25519.pem", signing]
    kept = {key: _digest(key) for key in keys}
    for key in keys:
        assert main(["--store", url, "export", "workload", "-o", str(key), "--force"]) == 2, key
        _refused(capsys, "--output", "is the store, one of its files or a key")
    assert main(["--store", url, "checkpoint", "--key", str(signing), "-o", str(signing), "--force"]) == 2
    _refused(capsys, "--output", "or a key")
    assert main(["--store", url, "report", "--from", "2026-01-05", "--to", "2026-03-20", "-o", str(config / "new.html")]) == 2
    _refused(capsys, "--output", "or a key")  # the config folder is caseledger's: keys and state
    assert {key: _digest(key) for key in keys} == kept
    monkeypatch.setenv("CASELEDGER_KEY_FILE", str(store_key))  # the store key file (the rule is checked before any store is opened with it)
    with pytest.raises(DomainError, match="is the store, one of its files or a key"):
        output_target(str(store_key), "--output", store=url, force=True)
    assert store_key.read_text() == "not used: the store is plain\n"


def test_a_symbolic_link_is_never_followed(store_url: str, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --force a link is a name already taken; with it the link itself is replaced by the
    export and the file it pointed to keeps its bytes."""
    url = _imported(store_url, capsys)
    victim = tmp_path / "victim.txt"
    victim.write_text("someone else's file\n")
    link = tmp_path / "latest.csv"
    link.symlink_to(victim)
    assert main(["--store", url, "export", "workload", "-o", str(link)]) == 2
    _refused(capsys, "--output", "latest.csv exists")
    assert main(["--store", url, "export", "workload", "-o", str(link), "--force"]) == 0
    assert not link.is_symlink() and link.read_bytes().startswith(b"officer,")
    assert victim.read_text() == "someone else's file\n"


def test_an_existing_checkpoint_file_is_replaced_only_with_force(store_url: str, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = _imported(store_url, capsys)
    out = tmp_path / "head.json"
    out.write_text("last week's checkpoint\n")
    assert main(["--store", url, "checkpoint", "-o", str(out)]) == 2
    _refused(capsys, "--output", "exists: choose another name, or give --force")
    assert out.read_text() == "last week's checkpoint\n"
    assert main(["--store", url, "checkpoint", "-o", str(out), "--force"]) == 0
    assert b'"signature"' in out.read_bytes()


def test_dash_is_standard_output(sqlite_url: str, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    url = _imported(sqlite_url, capsys)
    monkeypatch.chdir(tmp_path)
    assert main(["--store", url, "export", "workload", "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("officer,")
    assert main(["--store", url, "checkpoint", "-o", "-"]) == 0
    assert '"signature"' in capsys.readouterr().out
    assert not (tmp_path / "-").exists()
