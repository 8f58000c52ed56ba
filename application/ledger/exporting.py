"""Exporting: a projection as a file, and the analyst's report — of the sites the reader may see,
de-identified unless they asked for offender ids and the permission table lets them have them."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

from caseledger.application.exports import ExportSpec, export_projection
from caseledger.application.ledger.core import LedgerCore, serialised
from caseledger.application.report import ReportSpec, check_output, report_today, steps, write_report
from caseledger.domain.model.access import export_sites
from caseledger.projections.output.formats import SIDECAR_SUFFIX

YEAR = dt.timedelta(days=364)
"""A year's report runs from this long before its last day (twelve months, both ends counted)."""


class Exporting(LedgerCore):
    """The use cases that write what the ledger computes to a file."""

    def _sites(self, *, identified: bool) -> frozenset[str] | None:
        """The sites whose rows this view may export (None: every site), refusing a reader the
        permission table does not let export — or, ``identified``, export offender ids."""
        return export_sites(self.seat.actor, identified=identified)

    @serialised
    def export(self, spec: ExportSpec, *, fmt: str, output: str | None, identified: bool = False, force: bool = False) -> int:
        """Write ``spec``'s projection as ``fmt`` to ``output`` (standard output when None;
        atomically otherwise, replacing a file there only with ``force``, never the store or a
        key): the rows of the sites this view may see, offender ids as keyed pseudonyms unless
        ``identified`` (a supervisor, an auditor, an admin). Returns how many rows were written."""
        sites = self._sites(identified=identified)
        target = self._output_target(output, force=force, companions=(SIDECAR_SUFFIX,)) if output is not None else None
        self.catch_up()
        return export_projection(self.projector, spec, fmt=fmt, output=target, deidentified=not identified, sites=sites)

    @serialised
    def report(self, spec: ReportSpec, output: str, *, on_step: Callable[[str], None] | None = None, force: bool = False) -> None:
        """Write the analyst's report for ``spec`` to ``output`` (.html or .pdf; a file there replaced
        only with ``force``, never the store or a key), over the sites this view may export,
        de-identified; ``on_step(name)`` after each export behind it (by default, the front end's
        progress shows them)."""
        sites = self._sites(identified=False)
        check_output(output)
        target = self._output_target(output, force=force)
        self.catch_up()
        if on_step is not None or self.progress is None:
            write_report(self.projector, spec, target, sites=sites, on_step=on_step)
            return
        with self.progress("computing the report", steps(len(spec.rules))) as done:
            finished = itertools.count(1)
            write_report(self.projector, spec, target, sites=sites, on_step=lambda _name: done(next(finished)))

    @serialised
    def year_report(self, output: str, *, force: bool = False) -> None:
        """The report of the twelve months up to today — the latest local date now among the sites
        this view may export (the demo's year)."""
        sites = self._sites(identified=False)
        self.catch_up()
        today = report_today(self.projector, sites, self.clock)
        self.report(ReportSpec.of(str(today - YEAR), str(today), now=self.now()), output, force=force)
