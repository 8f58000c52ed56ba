"""Accepted but odd: entries the ledger records (the specification calls such things realistic
messiness) that a person most likely did not mean — said before recording, so they can think
again (issue #12, point 3). Nothing here refuses anything.

* Coverage by an officer who is on leave: it counts for nothing while they are away.
* Coverage by an officer at another site than the absent one.
* Coverage of an officer who is not on leave: it counts only while they are (the specification's
  reading), so it changes nothing until their leave is recorded.
"""

from __future__ import annotations

from caseledger.domain.events import catalogue as p
from caseledger.domain.model.validation import LedgerView


def oddities(view: LedgerView, data: p.Payload) -> list[str]:
    """What is odd about recording ``data`` now (empty when nothing is)."""
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
    return found
