"""Exporting a projection: compute it at a cut under a rule set, de-identify, write the file.

The one path ``caseledger export`` and the TUI's Export screen both take."""

from __future__ import annotations

from caseledger.projections.catalogue import PROJECTIONS, Projection
from caseledger.projections.compute import compute
from caseledger.projections.output.formats import FORMATS, write_export
from caseledger.projections.output.privacy import deidentify, store_secret
from caseledger.projections.readmodels.engine import Projector
from caseledger.projections.replay.facts import View
from caseledger.projections.rules import Rules

PROJECTION_NAMES = tuple(PROJECTIONS)
"""Every projection an export can name, in the specification's order."""

EXPORT_FORMATS = FORMATS
"""Every file format an export can write."""


def columns_of(name: str) -> list[str]:
    """The column names of projection ``name``, in order."""
    return [column.name for column in PROJECTIONS[name].columns]


def export_projection(projector: Projector, projection: Projection, view: View, rules: Rules, *, fmt: str, output: str | None, deidentified: bool) -> int:
    """Write ``projection`` at ``view`` under ``rules`` as ``fmt`` to ``output`` (standard output
    when None; atomically otherwise); offender ids pseudonymised when ``deidentified``. Returns
    how many rows were written."""
    result = compute(projector.app, projection, view, rules, projector)
    rows = deidentify(result.rows, store_secret(projector.db)) if deidentified else result.rows
    write_export(projection.columns, rows, {**result.meta, "deidentified": deidentified}, fmt, output)
    return len(rows)
