"""Issue #23 F10: Unicode format characters — bidi embeddings, overrides and isolates, zero-width
spaces and joiners, the byte-order mark — and the line and paragraph separators reach no
terminal raw: they are escaped wherever control characters are (Trojan-Source-style spoofing of
a history line: ``note: ok \u202eretsinimda yb devorppa`` reads right to left on screen)."""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseledger.application.interchange import encode_line
from caseledger.application.text import for_terminal
from caseledger.cli.main import main
from caseledger.tui.widgets.tables import plain
from tests.support.jsonl import SETUP, jsonl

ESCAPED_CATEGORIES = ("Cc", "Cf", "Zl", "Zp")
SPOOFS = "\u202e\u202a\u2066\u2069\u200b\u200d\u200f\u2060\ufeff\u2028\u2029"


def test_every_control_format_and_separator_character_is_escaped_to_printable_ascii() -> None:
    """Every code point the running Python's Unicode database puts in Cc, Cf, Zl or Zp (the
    hand-written list in application/text.py must keep up with it)."""
    missed = []
    for code in range(sys.maxunicode + 1):
        character = chr(code)
        if unicodedata.category(character) in ESCAPED_CATEGORIES:
            shown = for_terminal(character)
            if not (shown.startswith("\\") and shown.isascii() and shown.isprintable()):
                missed.append(f"U+{code:04X}")
    assert missed == []


def test_text_without_them_is_shown_as_it_is() -> None:
    text = "Zoë O'Brien — نص عربي, 漢字, emoji 🙂, a tab-free line"
    assert for_terminal(text) == text


def test_a_history_line_shows_the_override_not_its_effect(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOGNAME", "clerk")
    lines = tmp_path / "lines.jsonl"
    admitted = {**SETUP[2], "note": f"ok {SPOOFS} retsinimda yb devorppa"}
    lines.write_bytes(b"".join(jsonl([*SETUP[:2], admitted])))
    assert main(["--store", store_url, "import", str(lines)]) == 0
    capsys.readouterr()
    assert main(["--store", store_url, "history", "O1"]) == 0
    out = capsys.readouterr().out
    assert not any(character in out for character in SPOOFS)
    assert "note: ok \\u202e\\u202a\\u2066\\u2069\\u200b\\u200d\\u200f\\u2060\\ufeff\\u2028\\u2029 retsinimda" in out


def test_a_tui_table_cell_shows_the_escape() -> None:
    """What the TUI's tables and labels show (``plain``: markup escaped, then these escaped)."""
    assert plain(f"ok{SPOOFS}") == "ok" + "".join(for_terminal(character) for character in SPOOFS)
    assert str(plain("\u202e")) == "\\u202e"


@given(st.dictionaries(st.text(max_size=8), st.text(max_size=40), max_size=4))
def test_a_json_line_holds_no_raw_control_or_format_character_and_reads_back_the_same(record: dict[str, str]) -> None:
    """``caseledger events`` (and ``history --json``) write JSON Lines through ``encode_line``: every
    character a terminal would act on is written as JSON's ``\\u`` escape, so the line shows as
    it is stored, and any JSON reader decodes exactly the strings recorded."""
    line = encode_line(record).decode()
    assert line.endswith("\n")  # the line's end, and the only raw control character
    assert for_terminal(line[:-1]) == line[:-1]
    assert json.loads(line) == record


def test_a_json_line_writes_an_override_and_a_tag_character_as_escapes() -> None:
    """U+202E is one ``\\u`` escape; U+E0041 (a tag, beyond the BMP) is its UTF-16 surrogate pair
    (0xE0041 − 0x10000 = 0xD0041: high 0xD800 + 0x340 = 0xDB40, low 0xDC00 + 0x041 = 0xDC41)."""
    assert encode_line({"note": "ok \u202eretsinimda"}) == b'{"note":"ok \\u202eretsinimda"}\n'
    assert encode_line({"note": "\U000e0041"}) == b'{"note":"\\udb40\\udc41"}\n'
    assert encode_line({"note": "del \x7f"}) == b'{"note":"del \\u007f"}\n'  # ASCII, yet escaped
