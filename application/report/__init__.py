"""The union analyst's report (the specification's "Report"): eight sections, each a chart and
its table, computed from the exports over a period, under current and proposed rules side by side,
de-identified, with provenance at the end — one self-contained HTML file, or a PDF.

* :mod:`.figures` — what was asked (:class:`ReportSpec`) and the export rows it is computed from;
* :mod:`.sections` — the eight sections' tables and charts from those rows;
* :mod:`.charts` — Vega-Lite charts (altair) drawn to inline SVG offline (vl-convert);
* :mod:`.document` — the HTML, and the PDF drawn from it (WeasyPrint).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from caseledger.application.report.document import render_html, write_pdf
from caseledger.application.report.figures import ReportSpec, gather, steps
from caseledger.application.report.sections import sections
from caseledger.domain.errors import DomainError
from caseledger.projections.readmodels.engine import Projector

__all__ = ["REPORT_SUFFIXES", "ReportSpec", "check_output", "steps", "write_report"]

REPORT_SUFFIXES = (".html", ".pdf")


def check_output(path: str) -> None:
    """Refuse, before any work, a report file that is neither HTML nor PDF."""
    if Path(path).suffix.lower() not in REPORT_SUFFIXES:
        raise DomainError("--output", f"{path!r}: a report is written as .html or .pdf")


def write_report(projector: Projector, spec: ReportSpec, output: str, *, sites: frozenset[str] | None, on_step: Callable[[str], None] | None = None) -> None:
    """Compute the report for ``spec`` over ``sites`` (None: every site) and write it to ``output``
    atomically (a failure leaves no file, and an older one as it was)."""
    check_output(output)
    figures = gather(projector, spec, sites, on_step)
    markup = render_html(figures, sections(figures))
    target = Path(output)
    handle = tempfile.NamedTemporaryFile(dir=target.parent, prefix=".caseledger-", suffix=".tmp", delete=False)  # noqa: SIM115
    handle.close()
    try:
        if target.suffix.lower() == ".pdf":
            write_pdf(markup, handle.name)
        else:
            Path(handle.name).write_text(markup, encoding="utf-8")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(handle.name, 0o666 & ~umask)
        os.replace(handle.name, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(handle.name)
