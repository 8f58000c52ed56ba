"""``caseledger --version``: the installed release and the store format it writes, and nothing else
(no store is opened: it answers where no store exists)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from caseledger.domain.store.migrations import CURRENT_FORMAT, STEPS
from tests.support.cli import run_cli
from tests.support.paths import ROOT

pytestmark = pytest.mark.slow  # every test here starts processes


def test_version_names_the_release_in_pyproject_and_the_store_format(tmp_path: Path) -> None:
    release = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    done = run_cli(f"sqlite:///{tmp_path / 'none.db'}", "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == f"caseledger {release} (store format {STEPS[-1].version})\n"
    assert STEPS[-1].version == CURRENT_FORMAT
    assert not (tmp_path / "none.db").exists()
