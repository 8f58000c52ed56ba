"""Issue #23 F9: no id may start with ``-`` or ``.`` — ``-2-3`` reached CSV exports as a cell a
spreadsheet evaluates, and reads as an option on a command line. Refused on import (one line
naming the line and the field, exit 2, nothing recorded) on both stores, as every rule is."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseledger.cli.main import main
from caseledger.domain.errors import DomainError
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.validation import check_identifiers
from tests.support.jsonl import SETUP, jsonl

ADMITTED = SETUP[2]


@pytest.mark.parametrize("offender", ["-2-3", ".hidden", "-", "."])
def test_an_id_starting_with_a_dash_or_a_dot_is_refused_and_nothing_recorded(
    store_url: str, tmp_path: Path, offender: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOGNAME", "clerk")
    lines = tmp_path / "lines.jsonl"
    lines.write_bytes(b"".join(jsonl([*SETUP[:2], {**ADMITTED, "offender": offender}])))
    assert main(["--store", store_url, "import", str(lines)]) == 2
    err = capsys.readouterr().err
    assert (
        err
        == f"caseledger: line 3: offender: '{offender}': an id cannot start with '-' or '.' (a command line would read it as an option, a spreadsheet as a formula)\n"
    )
    assert main(["--store", store_url, "events"]) == 0
    assert capsys.readouterr().out == ""


def test_a_dash_or_a_dot_inside_an_id_is_still_an_id(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOGNAME", "clerk")
    lines = tmp_path / "lines.jsonl"
    lines.write_bytes(b"".join(jsonl([*SETUP[:2], {**ADMITTED, "offender": "2-3.a_b-"}])))
    assert main(["--store", store_url, "import", str(lines)]) == 0


IDS = st.from_regex(p.IDENTIFIER_PATTERN.replace("$", r"\Z"), fullmatch=True)
DAY = dt.date(2026, 1, 5)


def _refused_iff_it_leads_with_a_dash_or_a_dot(payload: p.Payload, value: str, field: str) -> None:
    if value[0] in "-.":
        with pytest.raises(DomainError, match=f"^{field}: .* an id cannot start with"):
            check_identifiers(payload)
    else:
        check_identifiers(payload)


@given(IDS)
def test_every_id_field_is_checked_optional_and_lists_included(value: str) -> None:
    """Any id the pattern allows passes unless it starts with - or . — in a plain field, an
    optional one and a list alike."""
    _refused_iff_it_leads_with_a_dash_or_a_dot(p.LeaveEnded(officer=value), value, "officer")
    _refused_iff_it_leads_with_a_dash_or_a_dot(p.AddOnTaskLogged(officer="po1", category="clerical", minutes=5, offender=value), value, "offender")
    admitted = p.OffenderAdmitted(
        offender="O1", site="KP", security_level="medium", sentence_start=DAY, statutory_release=DAY, warrant_expiry=DAY, complexity=["gang", value]
    )
    _refused_iff_it_leads_with_a_dash_or_a_dot(admitted, value, "complexity")
