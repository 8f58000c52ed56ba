"""Computing a projection: catch the read models up, take one consistent read, replay, compute.

:func:`replay` is the one pipeline every caller shares (exports, the application's officer
views): the cut's retractions and the world at T (from the newest valid snapshot and the facts
since, see :mod:`caseledger.projections.replay.snapshots`). :func:`streamed` hands an export its
rows as they are produced, inside the read transaction; :func:`compute` collects them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from caseledger.domain.integrity.chain import CHAIN_TABLE
from caseledger.domain.model.times import LocalDay
from caseledger.domain.store.application import LedgerApplication
from caseledger.domain.store.tree import TreeCursor
from caseledger.projections.catalogue import BY_SITE, PROJECTIONS, Projection
from caseledger.projections.engine.projector import Projector
from caseledger.projections.errors import ProjectionError
from caseledger.projections.readmodels.database import Cursor, Database
from caseledger.projections.readmodels.sealing import counting
from caseledger.projections.replay.facts import EVERY_WEEK, View, Weeks, retracted
from caseledger.projections.replay.inputs import Inputs
from caseledger.projections.replay.snapshots import Snapshots
from caseledger.projections.rules import Rules


@dataclass(frozen=True)
class Result:
    """A computed projection: its definition, rows, and the provenance every export records."""

    projection: Projection
    rows: list[dict[str, Any]]
    meta: dict[str, Any]


@dataclass(frozen=True)
class Together:
    """Several projections computed from one replay: their rows in order, and the provenance."""

    rows: list[list[dict[str, Any]]]
    meta: dict[str, Any]


@dataclass(frozen=True)
class Streamed:
    """A projection being computed: its rows come as they are produced (read them inside the
    :func:`streamed` block, while its read transaction is open)."""

    projection: Projection
    rows: Iterable[dict[str, Any]]
    meta: dict[str, Any]


def _cutoff_text(cutoff: dt.datetime | LocalDay | None) -> str | None:
    if cutoff is None:
        return None
    return cutoff.day.isoformat() if isinstance(cutoff, LocalDay) else cutoff.isoformat()


def find(name: str, *, by_site: bool = False) -> Projection:
    """The projection called ``name`` (``by_site``: its roll-up by site, for those that have one)."""
    if name not in PROJECTIONS:
        raise ProjectionError(f"no projection named {name!r}; choose from {', '.join(PROJECTIONS)}")
    if by_site:
        if name not in BY_SITE:
            raise ProjectionError(f"--by site applies to {' and '.join(BY_SITE)} only")
        return BY_SITE[name]
    return PROJECTIONS[name]


@contextlib.contextmanager
def counted(projector: Projector, *, write: bool = False) -> Iterator[Cursor]:
    """One transaction of the read models that takes a census as it reads: before each query,
    the sealed blocks it can reach are counted against their seals, once each
    (:class:`~caseledger.projections.readmodels.sealing.Census`) — an export trusts what it reads
    at the cost of what it reads, not of every table."""
    with projector.db.transaction(write=write) as cursor, counting(cursor, projector.seals):
        yield cursor


def provenance(cursor: Cursor, db: Database, name: str, view: View, rules: Rules, *, weeks: Weeks = EVERY_WEEK) -> dict[str, Any]:
    """What an export records beside its rows: what was computed, under which rules, at which cut,
    from which log position (and the chain head there, and the Merkle log's size and root: the
    events up to that position, which ``caseledger verify --checkpoint`` pairs and ``prove`` show
    in a signed tree), when."""
    cursor.execute(f"SELECT MIN(position) FROM {db.table('cl_tracking')}")
    (position,) = cursor.fetchone() or (0,)
    cursor.execute(f"SELECT head FROM {db.table(CHAIN_TABLE)} WHERE position = ?", (position,))
    chained = cursor.fetchone()
    tree = TreeCursor(cursor, db.table)
    size = tree.size_at(position)
    return {
        "projection": name,
        "rules": rules.name,
        "rules_sha256": rules.sha256,
        "as_of": _cutoff_text(view.as_of) or view.now.isoformat(),
        "known_at": _cutoff_text(view.known_at) or view.now.isoformat(),
        **({"weeks": f"{weeks.first or ''}..{weeks.last or ''}"} if weeks != EVERY_WEEK else {}),
        "log_position": position,
        "chain_head": bytes(chained[0]).hex() if chained else None,
        "tree_size": size,
        "tree_root": tree.range_hash(0, size).hex(),
        "generated_at": view.now.isoformat(),
    }


def replay(cursor: Cursor, db: Database, view: View, rules: Rules, types: frozenset[str], *, weeks: Weeks = EVERY_WEEK) -> Inputs:
    """The world at the cut — from the newest valid snapshot, or replayed from the facts of
    ``types`` — with everything a projection computes from."""
    gone = retracted(cursor, db, view)
    return Inputs(Snapshots(db).world_at(cursor, view, gone, types), view, rules, cursor, db, gone, weeks)


@contextlib.contextmanager
def streamed(
    app: LedgerApplication, projection: Projection, view: View, rules: Rules, projector: Projector | None = None, *, weeks: Weeks = EVERY_WEEK
) -> Iterator[Streamed]:
    """Bring the read models up to date, then compute ``projection`` at ``view`` under ``rules``
    inside one read transaction, its rows produced as they are read."""
    projector = projector or Projector(app)
    projector.catch_up()
    db = projector.db
    with counted(projector) as cursor:
        meta = provenance(cursor, db, projection.name + (" by site" if projection in BY_SITE.values() else ""), view, rules, weeks=weeks)
        yield Streamed(projection, projection.compute(replay(cursor, db, view, rules, projection.event_types, weeks=weeks)), meta)


def compute(
    app: LedgerApplication, projection: Projection, view: View, rules: Rules, projector: Projector | None = None, *, weeks: Weeks = EVERY_WEEK
) -> Result:
    """The projection's rows, all of them (for screens and tests; exports stream). A row that
    fails its MAC while they are read makes the read models be rebuilt and the rows read again."""
    engine = projector or Projector(app)

    def rows() -> Result:
        with streamed(app, projection, view, rules, engine, weeks=weeks) as result:
            return Result(projection, list(result.rows), result.meta)

    return engine.trusting(rows)


def compute_together(
    app: LedgerApplication,
    projections: Sequence[Projection | tuple[Projection, Rules]],
    view: View,
    rules: Rules,
    projector: Projector | None = None,
    *,
    weeks: Weeks = EVERY_WEEK,
    on_each: Callable[[Projection], None] | None = None,
) -> Together:
    """The rows of several projections at ``view`` from one catch-up and one replay of the world
    (a screen that shows two — the Site screen's workload and deadlines — pays for one), in their
    order, with the provenance they share; a projection given with a rule set of its own is
    computed under it, the others under ``rules``. Every projection only reads the world it is
    given, so they can share it, and what they work out alike (the days behind coverage and
    weekly hours) is worked out once. ``weeks`` narrows the weekly ones; ``on_each`` is told as
    each one is done (a progress bar)."""
    engine = projector or Projector(app)
    wanted = [item if isinstance(item, tuple) else (item, rules) for item in projections]

    def rows() -> Together:
        engine.catch_up()
        with counted(engine) as cursor:
            meta = provenance(cursor, engine.db, ", ".join(projection.name for projection, _rules in wanted), view, rules, weeks=weeks)
            types = frozenset().union(*(projection.event_types for projection, _rules in wanted))
            inputs = replay(cursor, engine.db, view, rules, types, weeks=weeks)
            found = []
            for projection, rule_set in wanted:
                found.append(list(projection.compute(inputs if rule_set is rules else dataclasses.replace(inputs, rules=rule_set))))
                if on_each is not None:
                    on_each(projection)
            return Together(found, meta)

    return engine.trusting(rows)
