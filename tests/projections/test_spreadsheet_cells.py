"""Issue #23 F9: a CSV text cell a spreadsheet would evaluate (leading ``=``, ``+``, ``-``, ``@``,
tab, CR) is made inert with a single quote, as OWASP advises; number cells stay numbers; a
reader gets the text back by dropping one quote (docs/projections.md's "Export files")."""

from __future__ import annotations

import csv
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from caseledger.projections.output.formats import write_export
from caseledger.projections.output.spreadsheet import inert
from caseledger.projections.replay.inputs import Column

LEADS = "=+-@\t\r"


def read_back(cell: str) -> str:
    """A text cell as docs/projections.md says to read it: one ``'`` dropped when the quotes it
    starts with are followed by one of the formula leads."""
    return cell[1:] if cell.startswith("'") and cell.lstrip("'").startswith(tuple(LEADS)) else cell


@given(st.text(st.sampled_from("'=+-@\t\rab1 ")) | st.text())
def test_inert_text_never_starts_a_formula_and_reads_back_as_it_was(text: str) -> None:
    written = inert(text)
    assert written is not None
    assert not written.startswith(tuple(LEADS))
    assert read_back(written) == text


def test_a_csv_export_neutralises_text_cells_and_leaves_numbers(tmp_path: Path) -> None:
    """Worked by hand: ``-2-3`` (an id from an older store) and ``=1+2`` get a quote; ``@SUM(A1)``
    too; ``'=x`` gets a second quote (so reading drops one); ``plain`` and ``'quoted'`` stay;
    the float -3.5 and the int -4 are numbers and stay as they are."""
    columns = (Column("offender", "str"), Column("hours", "float"), Column("delta", "int"))
    texts = ["-2-3", "=1+2", "@SUM(A1)", "'=x", "plain", "'quoted'", "\tx", "+1"]
    rows = [{"offender": text, "hours": -3.5, "delta": -4} for text in texts]
    target = tmp_path / "out.csv"
    write_export(columns, rows, {"projection": "any"}, "csv", str(target))
    with target.open(newline="", encoding="utf-8") as handle:
        cells = list(csv.DictReader(handle))
    assert [row["offender"] for row in cells] == ["'-2-3", "'=1+2", "'@SUM(A1)", "''=x", "plain", "'quoted'", "'\tx", "'+1"]
    assert {(row["hours"], row["delta"]) for row in cells} == {("-3.5", "-4")}
    assert [read_back(row["offender"]) for row in cells] == texts
