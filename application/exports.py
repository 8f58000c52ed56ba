"""Exporting a projection: compute it at a cut under a rule set, de-identify, write the file.

The one path ``caseledger export`` and the TUI's Export screen both take: an :class:`ExportSpec`
says what (projection, rules, cut), checked before the store is opened; :func:`export_projection`
computes and writes it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from caseledger.domain.errors import CacheForged
from caseledger.domain.model.times import parse_cutoff, parse_week, utc_now
from caseledger.projections.catalogue import BY_SITE, PROJECTIONS, Projection
from caseledger.projections.engine.compute import find, streamed
from caseledger.projections.engine.projector import Projector
from caseledger.projections.errors import ProjectionError
from caseledger.projections.output.formats import FORMATS, write_export
from caseledger.projections.output.privacy import deidentify
from caseledger.projections.output.targets import Target
from caseledger.projections.readmodels.pseudonyms import Pseudonyms
from caseledger.projections.replay.facts import EVERY_WEEK, View, Weeks
from caseledger.projections.rules import Rules, load_rules

PROJECTION_NAMES = tuple(PROJECTIONS)
"""Every projection an export can name, in the specification's order."""

EXPORT_FORMATS = FORMATS
"""Every file format an export can write."""

WEEKLY_PROJECTIONS = ("addon_burden", "coverage", "weekly_hours")
"""The projections whose rows are weeks, so ``--from WEEK --to WEEK`` can narrow them."""

BY_SITE_PROJECTIONS = tuple(BY_SITE)
"""The projections ``--by site`` rolls up."""


def columns_of(name: str) -> list[str]:
    """The column names of projection ``name``, in order."""
    return [column.name for column in PROJECTIONS[name].columns]


@dataclass(frozen=True)
class ExportSpec:
    """What to export: a projection, the rule set, the cut."""

    projection: Projection
    rules: Rules
    view: View
    weeks: Weeks = EVERY_WEEK

    @classmethod
    def of(
        cls,
        name: str,
        *,
        by_site: bool = False,
        rules: str = "current",
        as_of: str | None = None,
        known_at: str | None = None,
        labels: tuple[str, str] = ("--as-of", "--known-at"),
        now: dt.datetime | None = None,
        first_week: str | None = None,
        last_week: str | None = None,
    ) -> ExportSpec:
        """Check and resolve what a person typed — the projection's name, the rule set (``current``,
        ``proposed`` or a file), the as-of and known-at texts (``labels`` name them in errors),
        the ``--from``/``--to`` weeks — in that order, each refusal naming what was wrong."""
        projection = find(name, by_site=by_site)
        rule_set = load_rules(rules)
        view = View(
            as_of=parse_cutoff(as_of, labels[0]) if as_of else None,
            known_at=parse_cutoff(known_at, labels[1]) if known_at else None,
            now=now or utc_now(),
        )
        weeks = Weeks(parse_week(first_week, "--from") if first_week else None, parse_week(last_week, "--to") if last_week else None)
        if weeks != EVERY_WEEK and name not in WEEKLY_PROJECTIONS:
            raise ProjectionError(f"--from/--to apply to {', '.join(WEEKLY_PROJECTIONS[:-1])} and {WEEKLY_PROJECTIONS[-1]} only")
        if weeks.first and weeks.last and weeks.first > weeks.last:
            raise ProjectionError(f"--from {weeks.first} is after --to {weeks.last}")
        return cls(projection, rule_set, view, weeks)


SITE_COLUMNS = ("site", "from_site", "to_site")
"""The columns that place a row at a site (a supervisor exports the rows of their own sites)."""


def at_sites(rows: Iterable[dict[str, Any]], sites: frozenset[str]) -> Iterator[dict[str, Any]]:
    """The rows placed at one of ``sites`` (a transfer at either end)."""
    return (row for row in rows if any(row.get(column) in sites for column in SITE_COLUMNS))


def export_projection(
    projector: Projector, spec: ExportSpec, *, fmt: str, output: Target | str | None, deidentified: bool, sites: frozenset[str] | None = None
) -> int:
    """Write ``spec``'s projection as ``fmt`` to ``output`` (standard output when None; atomically
    otherwise, by the target's rule); offender ids replaced by the pseudonyms the store keeps when ``deidentified``
    (:mod:`~caseledger.projections.readmodels.pseudonyms`: this process needs no pseudonym key); only the rows at ``sites``
    when given (:func:`~caseledger.domain.model.access.export_sites`). Returns how many rows were written."""

    def export() -> int:
        written = 0
        pseudonyms = Pseudonyms(projector.db).mapping() if deidentified else None

        def counted(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            nonlocal written
            for row in rows:
                written += 1
                yield row

        with streamed(projector.app, spec.projection, spec.view, spec.rules, projector, weeks=spec.weeks) as result:
            rows = result.rows if sites is None else at_sites(result.rows, sites)
            rows = deidentify(rows, pseudonyms) if pseudonyms is not None else rows
            meta = {**result.meta, "deidentified": deidentified, **({"sites": ",".join(sorted(sites))} if sites is not None else {})}
            write_export(spec.projection.columns, counted(rows), meta, fmt, output)
        return written

    if output is not None:  # written atomically: a read that fails a MAC leaves no file, and is done again
        return projector.trusting(export)
    try:
        return export()
    except CacheForged as forged:  # rows already printed cannot be taken back
        projector.repair(forged)
        raise CacheForged(f"{forged}; the read models were rebuilt: run the export again") from None
