"""Computing a projection: catch the read models up, take one consistent read, replay, compute.

:func:`replay` is the one pipeline every caller shares (exports, the application's officer
views): the cut's retractions, its timeline facts of the wanted types, replayed into the world at T.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from caseledger.domain.model.times import LocalDay
from caseledger.domain.store.application import LedgerApplication
from caseledger.projections.catalogue import ADDON_BURDEN_BY_SITE, PROJECTIONS, Projection
from caseledger.projections.readmodels.database import Cursor, Database
from caseledger.projections.readmodels.engine import ProjectionError, Projector
from caseledger.projections.replay.facts import View, retracted
from caseledger.projections.replay.inputs import Inputs
from caseledger.projections.replay.snapshots import Snapshots
from caseledger.projections.rules import Rules


@dataclass(frozen=True)
class Result:
    """A computed projection: its definition, rows, and the provenance every export records."""

    projection: Projection
    rows: list[dict[str, Any]]
    meta: dict[str, Any]


def _cutoff_text(cutoff: dt.datetime | LocalDay | None) -> str | None:
    if cutoff is None:
        return None
    return cutoff.day.isoformat() if isinstance(cutoff, LocalDay) else cutoff.isoformat()


def find(name: str, *, by_site: bool = False) -> Projection:
    """The projection called ``name`` (``by_site`` only for addon_burden)."""
    if name not in PROJECTIONS:
        raise ProjectionError(f"no projection named {name!r}; choose from {', '.join(PROJECTIONS)}")
    if by_site:
        if name != "addon_burden":
            raise ProjectionError("--by site applies to addon_burden only")
        return ADDON_BURDEN_BY_SITE
    return PROJECTIONS[name]


def replay(cursor: Cursor, db: Database, view: View, rules: Rules, types: frozenset[str]) -> Inputs:
    """One replay of the cut's facts of ``types``, shared by every projection computed from it."""
    gone = retracted(cursor, db, view)
    return Inputs(Snapshots(db).world_at(cursor, view, gone, types), view, rules, cursor, db, gone)


def compute(
    app: LedgerApplication,
    projection: Projection,
    view: View,
    rules: Rules,
    projector: Projector | None = None,
) -> Result:
    """Bring the read models up to date, then compute ``projection`` at ``view`` under ``rules``."""
    projector = projector or Projector(app)
    projector.catch_up()
    db = projector.db
    with db.transaction(write=False) as cursor:
        cursor.execute(f"SELECT MIN(position) FROM {db.table('cl_tracking')}")
        (position,) = cursor.fetchone() or (0,)
        rows = projection.compute(replay(cursor, db, view, rules, projection.event_types))
    meta = {
        "projection": projection.name + (" by site" if projection is ADDON_BURDEN_BY_SITE else ""),
        "rules": rules.name,
        "rules_sha256": rules.sha256,
        "as_of": _cutoff_text(view.as_of) or view.now.isoformat(),
        "known_at": _cutoff_text(view.known_at) or view.now.isoformat(),
        "log_position": position,
        "generated_at": view.now.isoformat(),
    }
    return Result(projection, rows, meta)
