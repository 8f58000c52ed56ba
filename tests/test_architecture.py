"""The core runs headless: importing every module of ``domain``, ``projections``, ``application``
and ``cli`` loads no Textual (import-linter checks the static imports and the layering; this
checks what actually happens at import time, lazy imports included)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.paths import ROOT

HEADLESS = ("domain", "projections", "application", "cli")


def headless_modules() -> list[str]:
    """Every module of the headless rooms, by its installed name (``caseledger.domain.…``)."""
    names = []
    for room in HEADLESS:
        for path in sorted((ROOT / room).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            names.append(".".join(("caseledger", *parts[: -1 if parts[-1] == "__init__" else None])))
    return names


@pytest.mark.slow
def test_importing_every_headless_module_loads_no_textual() -> None:
    modules = headless_modules()
    assert {"caseledger.domain.store.application", "caseledger.application.ledger", "caseledger.cli.main"} <= set(modules)
    code = f"import sys; import {', '.join(modules)}; print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"


def test_nothing_imports_the_rooms_by_their_bare_folder_names() -> None:
    """``import domain`` would load a second copy of a module beside ``caseledger.domain``."""
    bare = ("domain", "projections", "application", "cli", "tui", "fixtures")
    found = []
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] in (".venv", "build"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            words = line.split()
            if len(words) >= 2 and words[0] in ("import", "from") and words[1].split(".")[0] in bare:
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []
