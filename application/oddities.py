"""Accepted but odd: entries the ledger records (the specification calls such things realistic
messiness) that a person most likely did not mean — said before recording, so they can think
again. Nothing here refuses anything.

* Coverage by an officer who is on leave: it counts for nothing while they are away.
* Coverage by an officer at another site than the absent one.
* Coverage of an officer who is not on leave: it counts only while they are (the specification's
  reading), so it changes nothing until their leave is recorded.
* Coverage of an officer someone already covers: both carry every case (the specification's
  reading: chains are not followed, each coverer carries the whole caseload), which is rarely
  what a hand-over means — so it says who covers, how many cases both will carry, and how to
  hand over instead. The same coverage recorded again changes nothing.
* An assignment of a case someone else carries: a reassignment, said as the move it makes (from
  whom, to whom), so a wrong officer is caught before the case leaves its officer's caseload. The
  same assignment recorded again changes nothing.

Who covers whom and the absent officer's caseload are read as the Site screen reads them: from
the world now (retractions applied) through the read models, counted by
:class:`~caseledger.projections.replay.caseloads.Caseloads`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from caseledger.domain.events import catalogue as p
from caseledger.domain.model.validation import LedgerView
from caseledger.projections.engine.projector import Projector
from caseledger.projections.replay.caseloads import Caseloads, Cut
from caseledger.projections.replay.facts import View, retracted


@dataclass(frozen=True)
class Covered:
    """Who covers an officer now (their active coverages) and how many cases of their own they have."""

    by: frozenset[str]
    cases: int


def covered_now(projector: Projector, view: View, officer: str) -> Covered:
    """``officer``'s coverers and own caseload at ``view`` (read models caught up by the caller)."""
    db = projector.db
    with db.transaction(write=False) as cursor:
        world = projector.snapshots.world_for_officer(cursor, officer, view, retracted(cursor, db, view))
    info = world.officers.get(officer)
    return Covered(frozenset(info.covered_by) if info is not None else frozenset(), Caseloads(Cut(world, view), only=[officer]).count(officer))


def oddities(view: LedgerView, data: p.Payload, covered: Covered | None = None) -> list[str]:
    """What is odd about recording ``data`` now (empty when nothing is); ``covered``: the absent
    officer's coverage now (:func:`covered_now`), for a ``CoverageStarted``."""
    if isinstance(data, p.CaseAssigned):
        return reassigned(view, data)
    if not isinstance(data, p.CoverageStarted):
        return []
    absent, covering = view.officer(data.officer), view.officer(data.covering_officer)
    if absent is None or covering is None:
        return []  # validation says what is wrong
    found = []
    if covering.on_leave:
        found.append(f"{covering.officer} is on leave: their coverage counts for nothing while they are away")
    if not absent.on_leave:
        found.append(f"{absent.officer} is not on leave: coverage counts only while they are (record their leave first)")
    if covering.site != absent.site:
        found.append(f"{covering.officer} works at {covering.site}, {absent.officer} at {absent.site}")
    if covered is not None and data.covering_officer in covered.by:
        found.append(f"{covering.officer} already covers {absent.officer}: recording it again changes nothing")
    elif covered is not None and covered.by:
        found.append(already_covered(absent.officer, sorted(covered.by), covered.cases))
    return found


def reassigned(view: LedgerView, data: p.CaseAssigned) -> list[str]:
    """``reassigns off-007 from po.adams to po.brown`` when the case has another officer now."""
    case = view.offender(data.offender)
    if case is None or case.officer is None:
        return []  # a first assignment (or validation says what is wrong)
    if case.officer == data.officer:
        return [f"{data.offender} is already assigned to {data.officer}: recording it again changes nothing"]
    return [f"reassigns {data.offender} from {case.officer} to {data.officer}"]


def already_covered(absent: str, coverers: Sequence[str], cases: int) -> str:
    """``po.b is already covered by po.a: both will carry all 22 cases; to hand over, end po.a's
    coverage`` (``coverers``: those covering now, one or more)."""
    together = {1: "both", 2: "all three"}.get(len(coverers), f"all {len(coverers) + 1}")
    carried = "the 1 case" if cases == 1 else f"all {cases} cases"
    whose = _listed([f"{coverer}'s" for coverer in coverers])
    return f"{absent} is already covered by {_listed(coverers)}: {together} will carry {carried}; to hand over, end {whose} coverage"


def _listed(words: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
