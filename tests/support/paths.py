"""Where the tests find the repository and its data files (one place, whatever folder a test is in)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "fixtures"
SCENARIO = FIXTURES / "scenario.jsonl"
LEGACY = ROOT / "tests" / "data" / "legacy"
