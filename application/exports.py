"""Exporting a projection: compute it at a cut under a rule set, de-identify, write the file.

The one path ``caseledger export`` and the TUI's Export screen both take."""

from __future__ import annotations

from caseledger.projections.catalogue import Projection
from caseledger.projections.compute import compute
from caseledger.projections.output.formats import write_export
from caseledger.projections.output.privacy import deidentify, store_secret
from caseledger.projections.readmodels.engine import Projector
from caseledger.projections.replay.facts import View
from caseledger.projections.rules import Rules


def export_projection(projector: Projector, projection: Projection, view: View, rules: Rules, *, fmt: str, output: str | None, deidentified: bool) -> int:
    """Write ``projection`` at ``view`` under ``rules`` as ``fmt`` to ``output`` (standard output
    when None; atomically otherwise); offender ids pseudonymised when ``deidentified``. Returns
    how many rows were written."""
    result = compute(projector.app, projection, view, rules, projector)
    rows = deidentify(result.rows, store_secret(projector.db)) if deidentified else result.rows
    write_export(projection.columns, rows, {**result.meta, "deidentified": deidentified}, fmt, output)
    return len(rows)
