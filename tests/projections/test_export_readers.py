"""Every export as the readers analysts use read it — the csv and json modules, pyarrow, duckdb,
pandas — on both stores: in every format (CSV, JSON Lines, JSON, Parquet) one set of columns, one
type per column, and the same values once each format's documented conversion is applied
(``projections/output/formats.py``, docs/projections.md's "Export files"):

* Parquet is typed: string, int64, double, bool, date32, and a ``counts`` column (``by_purpose``)
  a struct of one int64 per key, every key present (0 where a row has no count);
* JSON and JSON Lines hold the same values as JSON values: an integer column only integers, a float
  column only numbers with a point, dates as ISO strings, counts as an object with every key;
* CSV holds their text: an empty cell is null, ``true``/``false``, ISO dates, a counts object's
  JSON text;
* a reader that infers types (duckdb, pandas) infers the Parquet types from JSON and CSV, but for
  what text cannot say: dates stay text for pandas (duckdb recognises them), the counts object
  stays JSON text in CSV (and a column null throughout would have no type to infer: every column
  of the scenario has a value).

The expected rows are the projection's own rows with the counts spelled out, and the expected
types are the column kinds' written out here, not taken from the writer.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseledger.application.imports import import_lines
from caseledger.domain.model.times import parse_cutoff
from caseledger.domain.store.application import open_application
from caseledger.projections.catalogue import BY_SITE, PROJECTIONS
from caseledger.projections.engine.compute import compute
from caseledger.projections.errors import ProjectionError
from caseledger.projections.output.formats import FORMATS, write_export
from caseledger.projections.output.spreadsheet import FORMULA_LEADS
from caseledger.projections.replay.facts import View
from caseledger.projections.replay.inputs import Column, ColumnKind
from caseledger.projections.rules import load_rules
from tests.support.paths import FIXTURES

EXPORTS = {**PROJECTIONS, **{f"{name} by site": projection for name, projection in BY_SITE.items()}}
TEXT_FORMATS = ("csv", "jsonl", "json")

ARROW = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "date": pa.date32()}
DUCKDB = {"str": "VARCHAR", "int": "BIGINT", "float": "DOUBLE", "bool": "BOOLEAN", "date": "DATE"}
JSON_TYPE = {"str": str, "int": int, "float": float, "bool": bool, "date": str, "counts": dict}


def arrow_type(column: Column) -> pa.DataType:
    return pa.struct([(key, pa.int64()) for key in column.keys]) if column.kind == "counts" else ARROW[column.kind]


def duckdb_type(column: Column) -> str:
    return f"STRUCT({', '.join(f'{key} BIGINT' for key in column.keys)})" if column.kind == "counts" else DUCKDB[column.kind]


def spelled_out(columns: tuple[Column, ...], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows as every export holds them: a counts value with every key, 0 where it has none."""
    counts = [column for column in columns if column.kind == "counts"]
    return [{**row, **{c.name: {key: row[c.name].get(key, 0) for key in c.keys} for c in counts if row[c.name] is not None}} for row in rows]


def from_csv(column: Column, text: str) -> Any:
    """A CSV cell's value, as docs/projections.md says to read it."""
    if text == "":
        return None
    parse: dict[str, Callable[[str], Any]] = {
        "str": lambda cell: cell[1:] if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_LEADS) else cell,  # one quote made it inert
        "int": int,
        "float": float,
        "bool": {"true": True, "false": False}.__getitem__,
        "date": dt.date.fromisoformat,
        "counts": json.loads,
    }
    return parse[column.kind](text)


def from_json(column: Column, value: Any) -> Any:
    """A JSON value's, as docs/projections.md says to read it (a date is its ISO string)."""
    return dt.date.fromisoformat(value) if column.kind == "date" and value is not None else value


@dataclass(frozen=True)
class Export:
    """One projection's export in every format: its columns, its rows (dates as dates, counts with
    every key) and where each format's file is."""

    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]
    folder: Path
    name: str

    def path(self, fmt: str) -> Path:
        return self.folder / f"{self.name}.{fmt}"

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]


def write_everything(url: str, folder: Path) -> dict[str, Export]:
    """The hand-checked scenario, every projection and roll-up written in every format."""
    app = open_application(url)
    import_lines(app, (FIXTURES / "scenario.jsonl").read_bytes().splitlines(), "importer")
    view, rules = View(as_of=parse_cutoff("2026-03-20", "as_of")), load_rules("current")
    exports = {}
    for name, projection in EXPORTS.items():
        result = compute(app, projection, view, rules)
        export = Export(projection.columns, spelled_out(projection.columns, result.rows), folder, name.replace(" ", "_"))
        for column in export.columns:  # every column has a value somewhere, so every type has something to be inferred from
            assert any(row[column.name] is not None for row in export.rows), (name, column.name)
        for fmt in FORMATS:
            write_export(projection.columns, result.rows, result.meta, fmt, str(export.path(fmt)))
        exports[name] = export
    return exports


@pytest.fixture
def exports(store_url: str, tmp_path: Path) -> dict[str, Export]:
    return write_everything(store_url, tmp_path)


def test_the_standard_library_reads_every_format_alike(exports: dict[str, Export]) -> None:
    """``csv.DictReader`` and ``json``: CSV cells are the values' text (integers as digits, floats
    never as an integer's digits), JSON values are of the column's JSON type in every row."""
    for name, export in exports.items():
        with export.path("csv").open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            cells = list(reader)
        assert reader.fieldnames == export.names, name
        for column in export.columns:
            texts = [row[column.name] for row in cells if row[column.name] != ""]
            if column.kind == "int":
                assert all(re.fullmatch(r"-?[0-9]+", text) for text in texts), (name, column.name, texts)
            if column.kind == "float":
                assert not any(re.fullmatch(r"-?[0-9]+", text) for text in texts), (name, column.name, texts)
        assert [{column.name: from_csv(column, row[column.name]) for column in export.columns} for row in cells] == export.rows, name

        lines = [json.loads(line) for line in export.path("jsonl").read_text(encoding="utf-8").split("\n")[:-1]]
        document = json.loads(export.path("json").read_text(encoding="utf-8"))
        assert isinstance(document, list) and document == lines, name  # JSON: the same rows, as an array
        for row in lines:
            assert list(row) == export.names, name
            for column in export.columns:
                value = row[column.name]
                assert value is None or type(value) is JSON_TYPE[column.kind], (name, column.name, value)
        assert [{column.name: from_json(column, row[column.name]) for column in export.columns} for row in lines] == export.rows, name


def test_pyarrow_reads_one_table_from_every_format(exports: dict[str, Export]) -> None:
    """The Parquet schema is the column kinds'; JSON Lines read under that schema (dates read as
    their text, then cast) and CSV read with those column types (counts as text, then parsed)
    give the very same table."""
    for name, export in exports.items():
        schema = pa.schema([(column.name, arrow_type(column)) for column in export.columns])
        parquet = pq.read_table(export.path("parquet"))
        assert parquet.schema.remove_metadata() == schema, name
        assert parquet.to_pylist() == export.rows, name

        as_text = pa.schema([(field.name, pa.string() if pa.types.is_date(field.type) else field.type) for field in schema])
        lines = pa_json.read_json(export.path("jsonl"), parse_options=pa_json.ParseOptions(explicit_schema=as_text, unexpected_field_behavior="error"))
        assert lines.cast(schema).equals(parquet.replace_schema_metadata(None)), name

        types = {field.name: pa.string() if pa.types.is_struct(field.type) else field.type for field in schema}
        table = pa_csv.read_csv(export.path("csv"), convert_options=pa_csv.ConvertOptions(column_types=types, strings_can_be_null=True))
        assert table.column_names == export.names and table.schema.types == list(types.values()), name
        counts = [column.name for column in export.columns if column.kind == "counts"]
        assert [{**row, **{c: json.loads(row[c]) for c in counts}} for row in table.to_pylist()] == export.rows, name


def test_duckdb_infers_the_parquet_types_from_every_format(exports: dict[str, Export]) -> None:
    """``read_csv_auto``, ``read_json_auto`` (JSON Lines and the JSON array) and ``read_parquet``:
    the same columns, the column kinds' types (CSV's counts are JSON text, which casts to the
    struct), the same values."""
    readers = {"csv": "read_csv_auto", "jsonl": "read_json_auto", "json": "read_json_auto", "parquet": "read_parquet"}
    with duckdb.connect() as db:
        for name, export in exports.items():
            for fmt, reader in readers.items():
                relation = db.sql(f"SELECT * FROM {reader}('{export.path(fmt)}')")
                assert relation.columns == export.names, (name, fmt)
                expected = {c.name: "VARCHAR" if fmt == "csv" and c.kind == "counts" else duckdb_type(c) for c in export.columns}
                found = dict(zip(relation.columns, map(str, relation.types), strict=True))
                assert found == expected, (name, fmt)
                rows = [dict(zip(export.names, values, strict=True)) for values in relation.fetchall()]
                if fmt == "csv":
                    rows = [{c.name: from_csv(c, row[c.name] or "") if c.kind == "counts" else row[c.name] for c in export.columns} for row in rows]
                assert rows == export.rows, (name, fmt)
            counts = [column for column in export.columns if column.kind == "counts"]
            for column in counts:
                cast = db.sql(f"SELECT CAST({column.name} AS {duckdb_type(column)}) AS counts FROM read_csv_auto('{export.path('csv')}')").fetchall()
                assert [counts for (counts,) in cast] == [row[column.name] for row in export.rows], name


def test_pandas_reads_every_format_with_one_dtype_per_column(exports: dict[str, Export]) -> None:
    """``pandas.read_json(path)`` opens the JSON export as its rows; with
    ``dtype_backend="numpy_nullable"`` every format gives each column the Parquet file's dtype (an
    integer column holding a null stays an integer: the float pandas makes of it by default is
    pandas', not the file's), but dates (text in JSON and CSV) and CSV's counts (JSON text)."""
    readers: dict[str, Callable[[Path], pd.DataFrame]] = {
        "csv": lambda path: pd.read_csv(path, dtype_backend="numpy_nullable", keep_default_na=False, na_values=[""]),
        "jsonl": lambda path: pd.read_json(path, lines=True, dtype_backend="numpy_nullable"),
        "json": lambda path: pd.read_json(path, dtype_backend="numpy_nullable"),
        "parquet": lambda path: pd.read_parquet(path, dtype_backend="numpy_nullable"),
    }
    for name, export in exports.items():
        plain = pd.read_json(export.path("json"))
        assert list(plain.columns) == export.names and len(plain) == len(export.rows), name
        frames = {fmt: read(export.path(fmt)) for fmt, read in readers.items()}
        parquet = frames["parquet"].dtypes
        assert list(frames["parquet"].columns) == export.names, name
        for fmt, frame in frames.items():
            assert list(frame.columns) == export.names, (name, fmt)
            for column in export.columns:
                if (column.kind == "date" and fmt != "parquet") or (column.kind == "counts" and fmt == "csv"):
                    assert frame[column.name].dtype == "string", (name, fmt, column.name)
                else:
                    assert frame[column.name].dtype == parquet[column.name], (name, fmt, column.name, frame[column.name].dtype)
            found = [{c.name: from_pandas(c, fmt, row[c.name]) for c in export.columns} for row in frame.to_dict("records")]
            assert found == export.rows, (name, fmt)


def from_pandas(column: Column, fmt: str, value: Any) -> Any:
    """A pandas cell's value: dates in text formats and CSV's counts are text to parse."""
    if value is None or fmt == "parquet":
        return value
    if column.kind == "date" or (column.kind == "counts" and fmt == "csv"):
        return from_csv(column, value)
    return value


KEYS = ("first", "second", "third")
VALUES: dict[ColumnKind, st.SearchStrategy[Any]] = {
    "str": st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1),
    "int": st.integers(-(2**63), 2**63 - 1),
    "float": st.floats(allow_nan=False, allow_infinity=False),
    "bool": st.booleans(),
    "date": st.dates(),
    "counts": st.dictionaries(st.sampled_from(KEYS), st.integers(0, 2**63 - 1)),
}
"""Any value of each kind: text with commas, quotes, line breaks, any script; int64; finite floats."""


@st.composite
def tables(draw: st.DrawFn) -> tuple[tuple[Column, ...], list[dict[str, Any]]]:
    kinds = draw(st.lists(st.sampled_from(list(VALUES)), min_size=1, max_size=8))
    columns = tuple(Column(f"c{index}_{kind}", kind, KEYS if kind == "counts" else ()) for index, kind in enumerate(kinds))
    rows = draw(st.lists(st.fixed_dictionaries({c.name: st.none() | VALUES[c.kind] for c in columns}), max_size=6))
    return columns, rows


@settings(max_examples=60)
@given(tables())
def test_any_values_read_back_alike_from_every_format(tmp_path_factory: pytest.TempPathFactory, table: tuple[tuple[Column, ...], list[dict[str, Any]]]) -> None:
    """Whatever the values, each format reads back as the rows, counts spelled out, after its
    documented conversion — CSV's only loss: an empty text is an empty cell, read as null."""
    columns, rows = table
    export = Export(columns, spelled_out(columns, rows), tmp_path_factory.mktemp("any"), "any")
    for fmt in FORMATS:
        write_export(columns, rows, {"projection": "any"}, fmt, str(export.path(fmt)))
    with export.path("csv").open(newline="", encoding="utf-8") as handle:
        from_cells = [{c.name: from_csv(c, row[c.name]) for c in columns} for row in csv.DictReader(handle)]
    assert from_cells == [{name: None if value == "" else value for name, value in row.items()} for row in export.rows]
    document = json.loads(export.path("json").read_text(encoding="utf-8"))
    lines = [json.loads(line) for line in export.path("jsonl").read_text(encoding="utf-8").split("\n")[:-1]]  # JSON Lines: "\n" alone ends a line
    assert document == lines
    assert [{c.name: from_json(c, row[c.name]) for c in columns} for row in lines] == export.rows
    parquet = pq.read_table(export.path("parquet"))
    assert parquet.schema.remove_metadata() == pa.schema([(c.name, arrow_type(c)) for c in columns])
    assert parquet.to_pylist() == export.rows


def test_an_empty_export_opens_in_every_reader_with_its_columns(sqlite_url: str, tmp_path: Path) -> None:
    """No rows: CSV still has its header and Parquet its typed schema (the counts struct too), so
    duckdb and pandas name every column; JSON and JSON Lines open as no rows."""
    app = open_application(sqlite_url)
    with duckdb.connect() as db:
        for name in ("transfers", "cclo_contacts"):
            projection = PROJECTIONS[name]
            result = compute(app, projection, View(), load_rules("current"))
            assert result.rows == []
            export = Export(projection.columns, [], tmp_path, name)
            for fmt in FORMATS:
                write_export(projection.columns, result.rows, result.meta, fmt, str(export.path(fmt)))
            parquet = db.sql(f"SELECT * FROM read_parquet('{export.path('parquet')}')")
            assert dict(zip(parquet.columns, map(str, parquet.types), strict=True)) == {c.name: duckdb_type(c) for c in export.columns}
            assert list(pd.read_parquet(export.path("parquet")).columns) == export.names
            assert db.sql(f"SELECT * FROM read_csv_auto('{export.path('csv')}')").columns == export.names
            assert list(pd.read_csv(export.path("csv")).columns) == export.names
            assert pd.read_json(export.path("json")).empty and json.loads(export.path("json").read_text()) == []
            assert export.path("jsonl").read_bytes() == b""


def test_a_count_for_a_key_the_column_does_not_list_is_refused_not_dropped(tmp_path: Path) -> None:
    columns = PROJECTIONS["cclo_contacts"].columns
    row = {"site": "on-ccc", "month": "2026-03", "contacts": 2, "minutes": 60, "offenders": 1, "by_purpose": {"apprehension": 1, "courtesy_call": 1}}
    for fmt in FORMATS:
        target = tmp_path / f"contacts.{fmt}"
        target.write_text("the previous export\n")
        with pytest.raises(ProjectionError, match=r"^by_purpose: no such key 'courtesy_call'; the keys are information_sharing, joint_home_visit, "):
            write_export(columns, [row], {"projection": "cclo_contacts"}, fmt, str(target))
        assert target.read_text() == "the previous export\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == [f"contacts.{fmt}" for fmt in sorted(FORMATS)]  # no temporary file left
