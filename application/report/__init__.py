"""The union analyst's report (the specification's "Report"): eight sections, each a chart and
its table, computed from the exports over a period, under current and proposed rules side by side,
de-identified, with provenance at the end — one self-contained HTML file, or a PDF.

* :mod:`.figures` — what was asked (:class:`ReportSpec`) and the export rows it is computed from;
* :mod:`.sections` — the eight sections' tables and charts from those rows;
* :mod:`.charts` — Vega-Lite charts (altair) drawn to inline SVG offline (vl-convert);
* :mod:`.document` — the HTML, and the PDF drawn from it (WeasyPrint).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from caseledger.application.report.document import render_html, write_pdf
from caseledger.application.report.figures import ReportSpec, gather, steps
from caseledger.application.report.sections import sections
from caseledger.domain.errors import AccessRefused, DomainError
from caseledger.domain.model.clock import Clock
from caseledger.projections.engine.projector import Projector
from caseledger.projections.output.targets import Target, as_target
from caseledger.projections.replay.facts import registered_zones

__all__ = ["REPORT_SUFFIXES", "ReportSpec", "check_output", "check_scope", "report_today", "steps", "write_report"]

REPORT_SUFFIXES = (".html", ".pdf")


def check_output(path: str, flag: str = "--output") -> None:
    """Refuse, before any work, a report file that is neither HTML nor PDF; a PDF when WeasyPrint or
    its OS libraries are missing. Where it may go is the Ledger's check (:meth:`~caseledger.application.ledger.core.LedgerCore.output_target`)."""
    target = Path(path)
    if target.suffix.lower() not in REPORT_SUFFIXES:
        raise DomainError(flag, f"{path!r}: a report is written as .html or .pdf")
    if target.suffix.lower() == ".pdf":
        try:
            import weasyprint  # noqa: F401  (only to know it loads: it needs Pango from the OS)
        except (ImportError, OSError) as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise DomainError(
                flag,
                f"a PDF needs WeasyPrint and Pango ({reason}): pip install 'caseledger[pdf]', apt-get install libpango-1.0-0 libpangoft2-1.0-0; or write .html",
            ) from None


def report_today(projector: Projector, sites: frozenset[str] | None, clock: Clock) -> dt.date:
    """Today for a report over ``sites`` (None: every registered site): the latest local date now
    among them — a day that has begun at one of them (no site counts a day after its own today)."""
    zones = registered_zones(projector.db).as_dict()
    return clock.latest_today_in(zone for site, zone in zones.items() if sites is None or site in sites)


def check_scope(projector: Projector, spec: ReportSpec, sites: frozenset[str] | None) -> None:
    """Refuse a ``--site`` that is not registered, or that the reader may not report on; and a
    period that ends after today — the latest local date now at the sites reported on (today is the
    site's: on a Sunday evening in Toronto the host's UTC date is already Monday, and Monday has not
    begun at any Canadian site)."""
    zones = registered_zones(projector.db)
    for site in sorted(spec.sites or ()):
        if not zones.knows(site):
            raise DomainError("--site", f"no site {site!r} is registered")
        if sites is not None and site not in sites:
            raise AccessRefused(f"--site: {site}: you may report on {', '.join(sorted(sites)) or 'no site'} only")
    today = report_today(projector, spec.sites if spec.sites is not None else sites, Clock(spec.now))
    if spec.last > today:
        raise DomainError(spec.labels[1], f"{spec.last} is after today ({today}): a report covers what has happened")


def write_report(
    projector: Projector, spec: ReportSpec, output: Target | str, *, sites: frozenset[str] | None, on_step: Callable[[str], None] | None = None
) -> None:
    """Compute the report for ``spec`` over ``sites`` (None: every site) and write it to ``output``
    atomically (a failure leaves no file, and an older one as it was)."""
    output = as_target(output)
    check_output(str(output.path), output.flag)
    check_scope(projector, spec, sites)
    figures = gather(projector, spec, sites, on_step)
    markup = render_html(figures, sections(figures))
    if output.path.suffix.lower() == ".pdf":
        output.write(lambda out: write_pdf(markup, out))
    else:
        output.write(lambda out: out.write(markup.encode("utf-8")))
