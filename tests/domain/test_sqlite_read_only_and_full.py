"""Issue #23 F11: a SQLite store on a read-only mount (or a file or folder this process cannot
write) is opened read-only and can still be verified, exported and read; after an import fails
on a full disk, the write-ahead log is emptied when the transaction rolls back, so the disk is
given back at once — even while the process that failed keeps the store open (the TUI, say).

Read-only files are nothing to root, and a small file system needs a mount: each case runs in a
user and mount namespace of its own (``unshare --user --map-root-user --mount``, which an
unprivileged user may make on Linux), on a tmpfs mounted there. A machine without user
namespaces fails these tests with that said; they are never skipped."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from caseledger.cli.main import main
from tests.support.paths import ROOT

pytestmark = pytest.mark.slow

SCENARIO = ROOT / "fixtures" / "scenario.jsonl"


def _in_a_namespace(script: str, tmp_path: Path) -> str:
    """Run the shell ``script`` as root of a new user and mount namespace (``$MOUNT`` is a folder
    to mount on); return its standard output."""
    unshare = shutil.which("unshare")
    assert unshare is not None, "these tests need util-linux's unshare"
    mount = tmp_path / "mount"
    mount.mkdir()
    env = {**os.environ, "MOUNT": str(mount), "PYTHON": sys.executable, "XDG_CONFIG_HOME": str(tmp_path / "config"), "LOGNAME": "clerk"}
    result = subprocess.run(
        [unshare, "--user", "--map-root-user", "--mount", "sh", "-ec", script], capture_output=True, check=False, cwd=ROOT, env=env, timeout=600
    )
    assert result.returncode == 0, f"the namespace's script failed (are user namespaces allowed here?): {result.stderr.decode()}"
    return result.stdout.decode()


@pytest.mark.parametrize("left", ["clean", "with-its-log"])
def test_a_store_on_a_read_only_mount_is_verified_exported_and_read(
    tmp_path: Path, left: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``clean``: the file as a process leaves it on exit (its log checkpointed into it);
    ``with-its-log``: copied while this process still holds it, its newest pages still in its
    ``-wal`` (the ``-shm`` copied with it) — read with the log, so every event is there."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("LOGNAME", "clerk")
    store = tmp_path / "ledger.db"
    if left == "clean":
        subprocess.run([sys.executable, "-m", "caseledger.cli.main", "--store", f"sqlite:///{store}", "import", str(SCENARIO)], check=True, cwd=ROOT)
    else:
        assert main(["--store", f"sqlite:///{store}", "import", str(SCENARIO)]) == 0
        capsys.readouterr()
        assert Path(f"{store}-wal").stat().st_size > 0
    script = f"""
        mount -t tmpfs -o size=8m tmpfs "$MOUNT"
        cp {store}* "$MOUNT/"
        chmod 0444 "$MOUNT"/ledger.db*
        mount -o remount,ro "$MOUNT"
        for command in "status" "verify" "export workload" "events --limit 1" "retract 3 --reason x"; do
            set +e
            "$PYTHON" -m caseledger.cli.main --store "sqlite:///$MOUNT/ledger.db" $command > out 2> err
            echo "$command|$?|$(head -1 out)|$(tr '\\n' ' ' < err)"
            set -e
        done
    """
    lines = [line.split("|") for line in _in_a_namespace(f"cd {tmp_path}; {script}", tmp_path).split("\n")[:-1]]  # a CSV line ends in CR
    seen = {command: (int(code), out, err.strip()) for command, code, out, err in lines}
    assert seen["status"][:2] == (0, "store:          sqlite:///" + str(tmp_path / "mount" / "ledger.db"))
    assert seen["verify"][0] == 0 and seen["verify"][1].startswith(f"intact: {len(SCENARIO.read_bytes().splitlines())} events")
    assert seen["export workload"][0] == 0 and seen["export workload"][1].startswith("officer,site,role,")
    assert f'"log_position":{len(SCENARIO.read_bytes().splitlines())},' in seen["export workload"][2]
    assert seen["events --limit 1"][0] == 0 and json.loads(seen["events --limit 1"][1])["position"] == 1
    assert seen["retract 3 --reason x"] == (
        2,
        "",
        "caseledger: the store or the disk refused: the store's file, its folder or its mount cannot be written here (it was opened read-only); nothing was recorded",
    )


FILL = """
import json, os, sys
from pathlib import Path
from caseledger.application.ledger import Ledger
from caseledger.domain.errors import STORE_FAILURES

store = Path(sys.argv[1])
lines = Path(sys.argv[2]).read_bytes().splitlines(keepends=True)
ledger = Ledger.open(f"sqlite:///{store}", login="clerk")
ledger.import_lines(lines[:200])
try:
    ledger.import_lines(lines[200:])
except STORE_FAILURES as error:
    failed = str(error)
else:
    failed = None
wal = store.with_name(store.name + "-wal")
still_open = wal.stat().st_size if wal.exists() else 0
print(json.dumps({"failed": failed, "wal_while_open": still_open, "head": ledger.head(), "verified": ledger.verify().verdict.ok}))
"""


def test_a_full_disk_gives_its_space_back_when_the_import_rolls_back(tmp_path: Path) -> None:
    """A 4 MiB tmpfs: 200 events fit; the next 19,800 do not. The failed import leaves the log at
    200 events, and its write-ahead log empty while the process still holds the store (before
    the fix it kept the pages it had spilled, up to the whole disk, until the process exited)."""
    generated = tmp_path / "stream.jsonl"
    subprocess.run(
        [sys.executable, "-m", "caseledger.fixtures.generate", "--events", "20000", "--until", "2026-03-20", "--output", str(generated)], check=True, cwd=ROOT
    )
    (tmp_path / "fill.py").write_text(FILL)
    script = f"""
        mount -t tmpfs -o size=4m tmpfs "$MOUNT"
        "$PYTHON" {tmp_path / "fill.py"} "$MOUNT/ledger.db" {generated}
    """
    outcome = json.loads(_in_a_namespace(script, tmp_path).splitlines()[-1])
    assert outcome["failed"] is not None and "full" in outcome["failed"]
    assert outcome == {"failed": outcome["failed"], "wal_while_open": 0, "head": 200, "verified": True}
