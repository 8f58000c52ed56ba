"""Writing a computed projection: CSV, JSON Lines, JSON or Parquet, atomically, with provenance.

Every format of one export holds the same columns, in the projection's order, each of one type
(its :class:`~caseledger.projections.replay.inputs.Column` kind), so pandas, duckdb, pyarrow and the
csv module read the same table from any of them. Per kind — Parquet; JSON and JSON Lines; CSV,
where every cell is text:

* ``str``: string; string; the text — in CSV, a text a spreadsheet would evaluate (``=…``,
  ``+…``, ``-…``, ``@…``, a leading tab or CR) after a single quote (:mod:`.spreadsheet`).
* ``int``: int64; an integer; its digits (``25``).
* ``float``: double; a number with a point (``2.0``); the same text (``2.0``), never an integer's.
* ``bool``: bool; ``true``/``false``; ``true``/``false``.
* ``date``: date32; an ISO date string; the ISO date (``2026-03-20``).
* ``counts`` (a count per key of a fixed enumeration): a struct of one int64 field per key; an
  object with every key; that object's JSON text — every key in the column's order, 0 where the
  row has no count.

Null is null in Parquet and JSON and an empty cell in CSV (so CSV cannot tell an empty text from
null). Text formats carry no types: a reader infers them from the values (a column null
throughout has none to infer), and pandas reads an integer column holding a null as float unless
asked for ``dtype_backend="numpy_nullable"``; docs/projections.md's "Export files" says how each reader
gets every type.

Every export records where it came from — the projection, the rule set's name and SHA-256, the
as-of and known-at cut, the log position it reflects and the chain head there, whether it is
de-identified — beside the data, never in it, so every reader opens the data as it is (the
specification's "Export files"; JSON holds rows alone, as every other format does, so that the
readers that open JSON Lines open it too):

* CSV (RFC 4180: lines end CRLF, so that a text holding a CR or LF is quoted): the header is the
  first line; JSON Lines: one row per line; JSON: an array of row objects, one a line
  (``pandas.read_json`` and duckdb's ``read_json_auto`` read its rows); Parquet: also the file's
  key-value metadata ``caseledger`` (JSON);
* with ``--output FILE``, every format gets a sidecar ``FILE.meta.json`` (the provenance, plus
  ``file_sha256``, the file's own hash, so a sidecar can never pass for another file's);
* to standard output, CSV, JSON Lines and JSON say it on one line of standard error
  (``caseledger: provenance: {…}``).

An empty result still has its header (CSV), its schema (Parquet), ``[]`` (JSON). With
``--output`` the file and its sidecar are each written to a temporary file beside the target and
flushed to disk; only then is each put in place, the sidecar first (its longer name is the one a
file system refuses), so a reader never sees half an export; a failure while writing leaves the
previous export as it was, and a sidecar's hash says which file it describes should anything fail
between the two. Which names an export may take — never the store or a key, an existing file only
when forced — is :mod:`.targets`' rule. Without ``--output`` the export goes to standard output.

Parquet needs ``pyarrow`` (the ``parquet`` extra: ~170 MB, so not a core dependency).
"""

from __future__ import annotations

import csv
import hashlib
import io
import operator
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import msgspec

from caseledger.domain.errors import LedgerError
from caseledger.projections.errors import ProjectionError
from caseledger.projections.output.spreadsheet import inert
from caseledger.projections.output.targets import Target, as_target, temporary
from caseledger.projections.replay.inputs import Column

FORMATS = ("csv", "jsonl", "json", "parquet")

_json = msgspec.json.Encoder()

Convert = Callable[[Any], Any]


def _boolean(value: Any) -> str | None:
    return None if value is None else ("true" if value else "false")


def _day(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _counts(column: Column) -> Convert:
    """A ``counts`` value with every key of ``column`` in order, 0 where the row has no count
    (a key the column does not list is an error, not a count silently dropped)."""
    keys, known = column.keys, frozenset(column.keys)

    def every_key(value: Any) -> dict[str, int] | None:
        if value is None:
            return None
        if not known.issuperset(value):
            raise ProjectionError(f"{column.name}: no such key {sorted(set(value) - known)[0]!r}; the keys are {', '.join(keys)}")
        return {key: value.get(key, 0) for key in keys}

    return every_key


def _counts_text(column: Column) -> Convert:
    every_key = _counts(column)
    return lambda value: None if value is None else _json.encode(every_key(value)).decode()


_AS_TEXT: dict[str, Callable[[Column], Convert]] = {"str": lambda _: inert, "bool": lambda _: _boolean, "date": lambda _: _day, "counts": _counts_text}
"""What CSV converts (null is None, which the csv module writes as an empty cell; numbers go as
they are): text a spreadsheet would evaluate made inert (:mod:`.spreadsheet`), true/false, ISO
dates, a counts object's JSON text."""
_AS_DATA: dict[str, Callable[[Column], Convert]] = {"counts": _counts}
"""What JSON and Parquet convert: a counts object gets every key (the rest their encoders take as it is)."""


def _cells(columns: Sequence[Column], rows: Iterable[dict[str, Any]], convert: dict[str, Callable[[Column], Convert]]) -> Iterator[Sequence[Any]]:
    """Each row's cells in column order, those of the kinds ``convert`` names converted; only
    those, so a 500,000-row export is not millions of needless calls."""
    pick = operator.itemgetter(*(column.name for column in columns))
    converted = [(index, convert[column.kind](column)) for index, column in enumerate(columns) if column.kind in convert]
    for row in rows:
        cells = pick(row)
        if not isinstance(cells, tuple):
            cells = (cells,)
        if converted:
            cells = list(cells)
            for index, cell in converted:
                cells[index] = cell(cells[index])
        yield cells


def _objects(columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """Each row as a JSON object, its keys in column order."""
    names = [column.name for column in columns]
    for cells in _cells(columns, rows, _AS_DATA):
        yield _json.encode(dict(zip(names, cells, strict=True)))


def _csv(columns: Sequence[Column], rows: Iterable[dict[str, Any]], meta: dict[str, Any], out: IO[bytes]) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    writer = csv.writer(text, lineterminator="\r\n")  # RFC 4180: a text holding either line break is quoted
    writer.writerow([column.name for column in columns])
    writer.writerows(_cells(columns, rows, _AS_TEXT))
    text.flush()
    text.detach()


def _jsonl(columns: Sequence[Column], rows: Iterable[dict[str, Any]], meta: dict[str, Any], out: IO[bytes]) -> None:
    for line in _objects(columns, rows):
        out.write(line + b"\n")


def _json_array(columns: Sequence[Column], rows: Iterable[dict[str, Any]], meta: dict[str, Any], out: IO[bytes]) -> None:
    """``[`` then one row object a line, comma-separated, then ``]``: a JSON array that reads as
    rows, and still a line per row for a person or a diff."""
    out.write(b"[")
    for number, line in enumerate(_objects(columns, rows)):
        out.write((b",\n" if number else b"\n") + line)
    out.write(b"\n]\n")


def _parquet(columns: Sequence[Column], rows: Iterable[dict[str, Any]], meta: dict[str, Any], out: IO[bytes]) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ProjectionError("Parquet needs pyarrow: pip install 'caseledger[parquet]'") from None
    types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "date": pa.date32()}

    def arrow_type(column: Column) -> Any:
        return pa.struct([pa.field(key, pa.int64()) for key in column.keys]) if column.kind == "counts" else types[column.kind]

    schema = pa.schema([pa.field(column.name, arrow_type(column)) for column in columns], metadata={"caseledger": _json.encode(meta)})
    table = list(_cells(columns, rows, _AS_DATA))  # a Parquet table is built whole (row groups could stream; not needed yet)
    data = {column.name: [cells[index] for cells in table] for index, column in enumerate(columns)}
    pq.write_table(pa.Table.from_pydict(data, schema=schema), out)


_WRITERS = {"csv": _csv, "jsonl": _jsonl, "json": _json_array, "parquet": _parquet}


SIDECAR_SUFFIX = ".meta.json"


def sidecar_of(output: str | Path) -> Path:
    """Where an export file's provenance goes: ``FILE.meta.json`` beside ``FILE``."""
    target = Path(output)
    return target.with_name(target.name + SIDECAR_SUFFIX)


def write_export(columns: Sequence[Column], rows: Iterable[dict[str, Any]], meta: dict[str, Any], fmt: str, output: Target | str | None) -> None:
    """Write rows in ``fmt`` to ``output`` (atomically, then its sidecar, each put in place by the
    target's rule: :mod:`.targets`) or to standard output (with one line of provenance on
    standard error, but for Parquet, which holds it)."""
    if fmt not in _WRITERS:
        raise ProjectionError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    writer = _WRITERS[fmt]
    if output is None:
        if fmt != "parquet":
            sys.stderr.write("caseledger: provenance: " + _json.encode(meta).decode() + "\n")
            sys.stderr.flush()
        writer(columns, rows, meta, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    output = as_target(output)
    target, sidecar = output.path, Target(sidecar_of(output.path), output.flag, output.force)
    written: list[Path] = []
    try:
        try:
            data = temporary(target.parent, lambda out: writer(columns, rows, meta, out), written)
            digest = hashlib.sha256(data.read_bytes()).hexdigest()
            about = temporary(target.parent, lambda out: out.write(msgspec.json.format(_json.encode({**meta, "file_sha256": digest})) + b"\n"), written)
        except OSError as error:
            raise ProjectionError(f"could not write {target}: {error.strerror or error}; nothing was replaced") from None
        try:  # the sidecar first: its name is the longer, so a name the file system refuses refuses it before the data moves
            sidecar.place(about)
        except OSError as error:
            raise ProjectionError(f"could not write {sidecar.path}: {error.strerror or error}; nothing was replaced") from None
        try:
            output.place(data)
        except (OSError, LedgerError) as error:
            if not output.force:  # the sidecar was new: it describes no file, so it goes
                sidecar.path.unlink(missing_ok=True)
            if isinstance(error, LedgerError):
                raise
            raise ProjectionError(
                f"could not put {target} in place: {error.strerror or error}"
            ) from None  # the new sidecar's file_sha256 says the file beside it is not its own
    finally:
        for left in written:
            left.unlink(missing_ok=True)
