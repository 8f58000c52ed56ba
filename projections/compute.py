"""Computing a projection: catch the read models up, take one consistent read, replay, compute."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from domain.store import LedgerApplication
from domain.times import LocalDay
from projections.catalogue import ADDON_BURDEN_BY_SITE, PROJECTIONS, Projection
from projections.engine import Projector, ProjectionError
from projections.facts import View, retracted, timeline
from projections.inputs import Inputs
from projections.rules import Rules
from projections.world import World


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
        gone = retracted(cursor, db, view)
        world = World.replay(timeline(cursor, db, view, gone, projection.event_types))
        rows = projection.compute(Inputs(world, view, rules, cursor, db, gone))
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
