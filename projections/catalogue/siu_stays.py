"""siu_stays — one row per Structured Intervention Unit stay; ongoing stays count to T.

``reviews`` counts reviews during the stay; the transfer is the first request made during the
stay, and ``transfer_wait_days`` runs from it to the end of the stay (or T). The stay's site is
the institution where it started; T's date is taken there.
"""

from __future__ import annotations

from typing import Any

from caseledger.projections.replay.inputs import BASE_TYPES, Inputs, columns, days
from caseledger.projections.replay.world import Stay

NAME = "siu_stays"
EVENT_TYPES = BASE_TYPES | {"SIUPlacementStarted", "SIUReviewHeld", "SIUPlacementEnded"}
"""The timeline event types this projection reads (the rest are not loaded)."""
COLUMNS = columns(
    "offender:str, site:str, started_on:date, ended_on:date, dwell_days:int, outcome:str, reviews:int, transfer_requested_on:date, transfer_wait_days:int"
)


def row(inputs: Inputs, stay: Stay) -> dict[str, Any]:
    """One stay's row at T."""
    end = stay.ended_on if stay.ended_on is not None else inputs.today_at(stay.site)
    return {
        "offender": stay.offender,
        "site": stay.site,
        "started_on": stay.started_on,
        "ended_on": stay.ended_on,
        "dwell_days": days(end, stay.started_on),
        "outcome": stay.outcome,
        "reviews": stay.reviews,
        "transfer_requested_on": stay.transfer_requested_on,
        "transfer_wait_days": days(end, stay.transfer_requested_on),
    }


def compute(inputs: Inputs) -> list[dict[str, Any]]:
    rows = [row(inputs, stay) for stay in inputs.world.stays]
    rows.sort(key=lambda r: (r["offender"], r["started_on"]))
    return rows
