"""Helpers shared by the projection tests: compute every projection into plain comparable rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from caseledger.domain.store.application import LedgerApplication
from caseledger.projections.catalogue import ADDON_BURDEN_BY_SITE, PROJECTIONS
from caseledger.projections.engine.compute import compute
from caseledger.projections.engine.projector import Projector
from caseledger.projections.replay.facts import View
from caseledger.projections.replay.snapshots import SnapshotPolicy
from caseledger.projections.rules import load_rules


def plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items()} for row in rows]


def everything(app: LedgerApplication, view: View, rules: str = "current") -> dict[str, list[dict[str, Any]]]:
    """Every projection (and the by-site roll-up) at ``view``, as plain rows."""
    loaded = load_rules(rules)
    results = {name: plain(compute(app, projection, view, loaded).rows) for name, projection in PROJECTIONS.items()}
    results["addon_burden_by_site"] = plain(compute(app, ADDON_BURDEN_BY_SITE, view, loaded).rows)
    return results


FINE = SnapshotPolicy(period="day", head_every=25)
"""Snapshots every UTC day and a head every 25 facts, so that the short generated streams of the
property tests pass many snapshot boundaries and every query can start from one."""


def snapshotted(app: LedgerApplication) -> LedgerApplication:
    """``app`` with its read models caught up and snapshotted under :data:`FINE` (the queries
    after it then start from those snapshots)."""
    Projector(app, snapshot_policy=FINE).catch_up()
    return app
