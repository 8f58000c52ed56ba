"""Add-on tasks of some weeks inside a cut, trusted without counting the whole task table.

A read model is trusted when every row read passes its MAC and the table holds exactly the rows
its seal counts (:mod:`caseledger.projections.readmodels.sealing`); counting a table means
reading all of it — for the add-on tasks, most of the log. An as-of query reads the tasks of a
week or two only (the weeks wholly before T come from the running totals, which are counted, and
small). So those weeks' tasks are read whole, each against its MAC, and their minutes must add up,
group by group, to the running totals of the same weeks: a task deleted, moved, invented or put
back makes a group differ from its total (a total itself is sealed and counted), and the cut is
then applied here. Only a known-at cut (the totals hold tasks recorded after it) or totals behind
the tasks (another process's tasks not summed yet) fall back to counting the task table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from caseledger.domain.errors import CacheForged
from caseledger.domain.model.times import LocalDay
from caseledger.projections.readmodels.sealing import UNCOUNTED, Within
from caseledger.projections.readmodels.tables import AddOnModel, AddOnTotals, micros
from caseledger.projections.replay.facts import View, where
from caseledger.projections.replay.inputs import Inputs

Task = tuple[str, str, str, str, int]
"""(officer, site or "", week, category, minutes)."""


def _inside(view: View) -> Any:
    """A test of a task row's (occurred µs, occurred date) against the view's as-of (no known-at)."""
    cutoff = view.as_of
    if cutoff is None:
        return lambda occurred_us, occurred_date: True
    if isinstance(cutoff, LocalDay):
        day = cutoff.day.isoformat()
        return lambda occurred_us, occurred_date: occurred_date <= day
    limit = micros(cutoff)
    return lambda occurred_us, occurred_date: occurred_us <= limit


def tasks_in_weeks(inputs: Inputs, condition: str, params: Sequence[Any], weeks: Within) -> Iterator[Task]:
    """The tasks inside the cut whose rows match ``condition`` (SQL on ``week``, ``officer``:
    columns both tables have; ``weeks``: the weeks it reaches), retracted ones included."""
    db, view, cursor = inputs.db, inputs.view, inputs.cursor
    totals = AddOnTotals(db)
    if view.known_at is not None or not totals.current(cursor):  # the tasks alone: their weeks are counted
        cut_sql, cut_params = where(view)
        for _position, officer, site, week, category, minutes, *_times in (
            AddOnModel().sealed(db).select(cursor, f"{condition}{cut_sql}", [*params, *cut_params], within=weeks)
        ):
            yield officer, site or "", week, category, int(minutes)
        return
    rows = list(AddOnModel().sealed(db).select(cursor, condition, params, within=UNCOUNTED))  # checked against the totals, counted
    added: Counter[tuple[str, str, str, str]] = Counter()
    for _position, officer, site, week, category, minutes, *_times in rows:
        added[(officer, site or "", week, category)] += int(minutes)
    summed: Counter[tuple[str, str, str, str]] = Counter()
    for officer, site, week, category, total in totals.sealed.select(cursor, condition, params, within=weeks):
        summed[(officer, site or "", week, category)] += int(total)
    if added != summed:
        differing = sorted({key[2] for key in (added - summed) + (summed - added)})
        raise CacheForged(f"read model cl_addons: the tasks of {', '.join(differing)} do not add up to their running totals (rows deleted, moved or put back)")
    inside = _inside(view)
    for _position, officer, site, week, category, minutes, occurred_us, occurred_date, *_recorded in rows:
        if inside(occurred_us, occurred_date):
            yield officer, site or "", week, category, int(minutes)
