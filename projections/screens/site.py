"""What the Site screen says of each officer beyond their workload row, so a row reads right:
who carries the cases of an officer on leave (their overdue deadlines are the cover's to meet,
or nobody's), where an officer who moved came from and when (their id still names the site they
were registered at), and the rules' full week (a shorter contracted week is part-time).

Not an export: one row per registered officer at T, computed with the workload in one replay
(the Ledger's ``officers``). A supervisor's screen, of their sites, reads at "now" only what those
sites carry (:func:`site_officers`): the head's rows of their officers' cases and of the colleagues
they cover, not the whole world — the same rows, since each case's state is its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from caseledger.domain.events import catalogue as p
from caseledger.projections.catalogue import OVERDUE_CARRIED, Projection, workload
from caseledger.projections.engine.projector import Projector
from caseledger.projections.replay.facts import Fact, View, retracted, timeline
from caseledger.projections.replay.inputs import Inputs, columns
from caseledger.projections.rules import Rules

PLACEMENTS = frozenset({"OfficerRegistered", "OfficerMoved"})
"""The facts that say at which site an officer works, and since when."""


@dataclass(frozen=True)
class Move:
    """An officer's latest move: from which site, on which local date (at the new site)."""

    from_site: str
    on: dt.date


def latest_moves(facts: Iterable[Fact]) -> dict[str, Move]:
    """Each moved officer's latest move, from their registrations and moves in occurred order
    (a move back to the site they came from is a move too; a "move" to the site they are at is none)."""
    site: dict[str, str] = {}
    moves: dict[str, Move] = {}
    for fact in facts:
        data = fact.data
        if isinstance(data, p.OfficerRegistered):
            site[data.officer] = data.site
        elif isinstance(data, p.OfficerMoved) and data.officer in site and site[data.officer] != data.site:
            moves[data.officer] = Move(site[data.officer], fact.local_date)
            site[data.officer] = data.site
    return moves


def officer_notes(inputs: Inputs) -> list[dict[str, Any]]:
    """Per officer at T: ``covered_by`` (the officers covering them while on leave, comma-separated,
    '' when none or not on leave), ``moved_from`` and ``moved_on`` (their latest move; '' when they
    never moved) and ``full_week`` (the rules' full week, against which their own week is part-time)."""
    world = inputs.world
    moves = latest_moves(timeline(inputs.cursor, inputs.db, inputs.view, inputs.gone, PLACEMENTS))
    full_week = float(inputs.rules.weekly_hours)
    rows = []
    for officer in sorted(world.officers.values(), key=lambda o: o.officer):
        move = moves.get(officer.officer)
        rows.append(
            {
                "officer": officer.officer,
                "covered_by": ", ".join(sorted(officer.covered_by)) if officer.on_leave else "",
                "moved_from": move.from_site if move else "",
                "moved_on": str(move.on) if move else "",
                "full_week": full_week,
            }
        )
    return rows


OFFICER_NOTES = Projection(
    "officer notes",
    columns("officer:str, covered_by:str, moved_from:str, moved_on:str, full_week:float"),
    officer_notes,
    PLACEMENTS | {"LeaveStarted", "LeaveEnded", "CoverageStarted", "CoverageEnded"},
)
"""The Site screen's notes per officer (see :func:`officer_notes`)."""


Rows = list[dict[str, Any]]


def site_officers(projector: Projector, rules: Rules, view: View, sites: frozenset[str]) -> tuple[Rows, Rows, Rows]:
    """The Site screen of ``sites``: the workload rows of their officers, the overdue deadlines
    they carry and their notes — from the partial world of those sites at "now" (the head's case
    rows: :meth:`~caseledger.projections.replay.snapshots.Snapshots.world_for_sites`), else the
    whole world at the cut. Like the officers' screens it checks every row it reads against its
    MAC and counts nothing (the TUI counts every row once it starts)."""
    db = projector.db
    with db.transaction(write=False) as cursor:
        gone = retracted(cursor, db, view)
        world = projector.snapshots.world_for_sites(cursor, sites, view, gone)
        inputs = Inputs(world, view, rules, cursor, db, gone)
        officers = {officer.officer for officer in world.officers.values() if officer.site in sites}
        rows = workload.compute(inputs, officers)
        carried = [row for row in OVERDUE_CARRIED.compute(inputs) if row["officer"] in officers]
        notes = [row for row in officer_notes(inputs) if row["officer"] in officers]
    return rows, carried, notes
