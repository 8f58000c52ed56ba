"""transfers — one row per transfer request: pending, completed or cancelled, and how long it waited.

``from_site`` is the offender's location when the request was made; ``wait_days`` runs to the
completion, the cancellation, or T (T's date at the requesting site); ``interregional`` when the
two sites' regions differ. A completion or cancellation applies to the latest pending request.
"""

from __future__ import annotations

from typing import Any

from caseledger.projections.replay.inputs import BASE_TYPES, Inputs, columns, days

NAME = "transfers"
EVENT_TYPES = BASE_TYPES
"""The timeline event types this projection reads (the rest are not loaded)."""
COLUMNS = columns(
    "offender:str, from_site:str, to_site:str, kind:str, requested_on:date, completed_on:date, cancelled_on:date, status:str, wait_days:int, interregional:bool"
)


def compute(inputs: Inputs) -> list[dict[str, Any]]:
    sites = inputs.world.sites
    rows = []
    for request in inputs.world.transfers:
        end = request.completed_on or request.cancelled_on or inputs.today_at(request.from_site)
        origin, destination = sites.get(request.from_site or ""), sites.get(request.to_site)
        rows.append(
            {
                "offender": request.offender,
                "from_site": request.from_site,
                "to_site": request.to_site,
                "kind": request.kind,
                "requested_on": request.requested_on,
                "completed_on": request.completed_on,
                "cancelled_on": request.cancelled_on,
                "status": request.status,
                "wait_days": days(end, request.requested_on),
                "interregional": origin is not None and destination is not None and origin.region != destination.region,
            }
        )
    rows.sort(key=lambda r: (r["offender"], r["requested_on"]))
    return rows
