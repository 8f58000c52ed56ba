"""Writing a computed projection: CSV, JSON Lines, JSON or Parquet, atomically, with provenance.

Every export records where it came from — the projection, the rule set's name and SHA-256, the
as-of and known-at cut, the log position it reflects and the chain head there, whether it is
de-identified — beside the data, never in it, so every reader opens the data as it is (the
specification's "Export files"):

* CSV: the header is the first line; JSON Lines: one row per line;
* JSON: ``{"meta": {…}, "rows": […]}``; Parquet: the file's key-value metadata ``caseledger`` (JSON);
* with ``--output FILE``, every format also gets a sidecar ``FILE.meta.json`` (the same object,
  plus ``file_sha256``, the file's own hash, so a sidecar can never pass for another file's);
* to standard output, CSV and JSON Lines say it on one line of standard error
  (``caseledger: provenance: {…}``).

An empty result still has its header (CSV) and schema (Parquet). With ``--output`` the file and its
sidecar are each written to a temporary file beside the target and flushed to disk; only then is
both renamed into place, the sidecar first (its longer name is the one a file system refuses), so
a reader never sees half an export; a failure while writing leaves the previous export as it was,
and a sidecar's hash says which file it describes should anything fail between the two renames. Without ``--output`` the export goes to standard output.

Parquet needs ``pyarrow`` (the ``parquet`` extra: ~170 MB, so not a core dependency).
"""

from __future__ import annotations

import csv
import hashlib
import io
import operator
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import msgspec

from caseledger.projections.readmodels.engine import ProjectionError
from caseledger.projections.replay.inputs import Column

FORMATS = ("csv", "jsonl", "json", "parquet")

_json = msgspec.json.Encoder()


def _text(value: Any) -> Any:
    return "" if value is None else value


def _boolean(value: Any) -> str:
    return "" if value is None else ("true" if value else "false")


def _day(value: Any) -> str:
    return "" if value is None else value.isoformat()


def _object(value: Any) -> str:
    return "" if value is None else _json.encode(value).decode()


_CSV_CELL = {"str": _text, "int": _text, "float": _text, "bool": _boolean, "date": _day, "json": _object}
"""How each column kind is written in CSV: empty for null, true/false, ISO dates, JSON objects."""


def _csv(columns: Sequence[Column], rows: Iterable[dict[str, Any]], meta: dict[str, Any], out: IO[bytes]) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([column.name for column in columns])
    writer.writerows(_csv_cells(columns, rows))
    text.flush()
    text.detach()


def _csv_cells(columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> Iterator[Sequence[Any]]:
    """Each row's cells in column order. Text and numbers go to the csv module as they are (it
    writes None as an empty cell); only booleans, dates and objects are converted, so a
    500,000-row export is not a million needless calls."""
    pick = operator.itemgetter(*(column.name for column in columns))
    converted = [(index, _CSV_CELL[column.kind]) for index, column in enumerate(columns) if column.kind in ("bool", "date", "json")]
    for row in rows:
        cells = pick(row)
        if not isinstance(cells, tuple):
            cells = (cells,)
        if converted:
            cells = list(cells)
            for index, cell in converted:
                cells[index] = cell(cells[index])
        yield cells


def _jsonl(columns: Sequence[Column], rows: Iterable[dict[str, Any]], meta: dict[str, Any], out: IO[bytes]) -> None:
    for row in rows:
        out.write(_json.encode({column.name: row.get(column.name) for column in columns}) + b"\n")


def _json_document(columns: Sequence[Column], rows: Iterable[dict[str, Any]], meta: dict[str, Any], out: IO[bytes]) -> None:
    out.write(_json.encode({"meta": meta})[:-1] + b',"rows":[')
    for number, row in enumerate(rows):
        out.write((b"," if number else b"") + _json.encode({column.name: row.get(column.name) for column in columns}))
    out.write(b"]}\n")


def _parquet(columns: Sequence[Column], rows: Iterable[dict[str, Any]], meta: dict[str, Any], out: IO[bytes]) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ProjectionError("Parquet needs pyarrow: pip install 'caseledger[parquet]'") from None
    types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "date": pa.date32(), "json": pa.string()}
    schema = pa.schema([pa.field(column.name, types[column.kind]) for column in columns], metadata={"caseledger": _json.encode(meta)})
    rows = list(rows)  # a Parquet table is built whole (row groups could stream; not needed yet)
    data = {
        column.name: [
            _json.encode(row[column.name]).decode() if column.kind == "json" and row.get(column.name) is not None else row.get(column.name) for row in rows
        ]
        for column in columns
    }
    pq.write_table(pa.Table.from_pydict(data, schema=schema), out)


_WRITERS = {"csv": _csv, "jsonl": _jsonl, "json": _json_document, "parquet": _parquet}


SIDECAR_SUFFIX = ".meta.json"


def sidecar_of(output: str | Path) -> Path:
    """Where an export file's provenance goes: ``FILE.meta.json`` beside ``FILE``."""
    target = Path(output)
    return target.with_name(target.name + SIDECAR_SUFFIX)


def write_export(columns: Sequence[Column], rows: Iterable[dict[str, Any]], meta: dict[str, Any], fmt: str, output: str | None) -> None:
    """Write rows in ``fmt`` to ``output`` (atomically, then its sidecar) or to standard output
    (with one line of provenance on standard error for CSV and JSON Lines)."""
    if fmt not in _WRITERS:
        raise ProjectionError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    writer = _WRITERS[fmt]
    if output is None:
        if fmt in ("csv", "jsonl"):
            sys.stderr.write("caseledger: provenance: " + _json.encode(meta).decode() + "\n")
            sys.stderr.flush()
        writer(columns, rows, meta, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    target, sidecar = Path(output), sidecar_of(output)
    written: list[Path] = []
    try:
        try:
            data = _temporary(target.parent, lambda out: writer(columns, rows, meta, out), written)
            digest = hashlib.sha256(data.read_bytes()).hexdigest()
            about = _temporary(target.parent, lambda out: out.write(msgspec.json.format(_json.encode({**meta, "file_sha256": digest})) + b"\n"), written)
        except OSError as error:
            raise ProjectionError(f"could not write {output}: {error.strerror or error}; nothing was replaced") from None
        try:  # the sidecar first: its name is the longer, so a name the file system refuses refuses it before the data moves
            os.replace(about, sidecar)
        except OSError as error:
            raise ProjectionError(f"could not write {sidecar}: {error.strerror or error}; nothing was replaced") from None
        try:
            os.replace(data, target)
        except OSError as error:  # the new sidecar's file_sha256 says the file beside it is not its own
            raise ProjectionError(f"could not put {output} in place: {error.strerror or error}") from None
    finally:
        for left in written:
            left.unlink(missing_ok=True)


def _temporary(folder: Path, write: Callable[[IO[bytes]], Any], made: list[Path]) -> Path:
    """A temporary file in ``folder`` (a short name, so a long target's still fits) holding what
    ``write`` writes, flushed to disk, with the permissions an export gets (a temporary file is
    private; the export is not); listed in ``made`` so the caller removes it if it is not used."""
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=".caseledger-", suffix=".tmp", delete=False)  # noqa: SIM115
    made.append(Path(handle.name))
    with handle:
        write(handle.file)  # the file itself: its wrapper costs a call per write
        handle.flush()
        os.fsync(handle.fileno())
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(handle.name, 0o666 & ~umask)
    return Path(handle.name)
