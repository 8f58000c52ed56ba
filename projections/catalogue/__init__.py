"""The projections of the specification, one module each, indexed by name."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from caseledger.projections.catalogue import (
    addon_burden,
    cclo_contacts,
    coverage,
    deadlines,
    release_lead_time,
    siu_stays,
    staffing,
    transfers,
    weekly_hours,
    workload,
)
from caseledger.projections.errors import ProjectionError
from caseledger.projections.replay.inputs import Column, Inputs, columns


@dataclass(frozen=True)
class Projection:
    name: str
    columns: tuple[Column, ...]
    compute: Callable[[Inputs], Iterable[dict[str, Any]]]
    """Its rows, in order (a list, or rows produced as they are read)."""
    event_types: frozenset[str]
    """The timeline event types it reads; the others are not even loaded."""


PROJECTIONS: dict[str, Projection] = {
    module.NAME: Projection(module.NAME, module.COLUMNS, module.compute, module.EVENT_TYPES)
    for module in (workload, addon_burden, release_lead_time, siu_stays, transfers, cclo_contacts, staffing, deadlines, coverage, weekly_hours)
}
ADDON_BURDEN_BY_SITE = Projection("addon_burden", addon_burden.SITE_COLUMNS, addon_burden.compute_by_site, addon_burden.EVENT_TYPES)
COVERAGE_BY_SITE = Projection("coverage", coverage.SITE_COLUMNS, coverage.compute_by_site, coverage.EVENT_TYPES)
BY_SITE = {"addon_burden": ADDON_BURDEN_BY_SITE, "coverage": COVERAGE_BY_SITE}
"""The projections ``--by site`` rolls up, by name."""
OVERDUE_CARRIED = Projection(
    "overdue deadlines carried", columns("officer:str, overdue:int, own_overdue:int"), deadlines.overdue_carried, deadlines.EVENT_TYPES
)
"""Not an export: the Site screen's count of overdue deadlines per officer (own and covered cases; own alone)."""


READ_MODELS_OF: dict[str, tuple[str, ...]] = {
    "workload": ("timeline", "addons"),
    "addon_burden": ("timeline", "addons"),
    "release_lead_time": ("timeline",),
    "siu_stays": ("timeline",),
    "transfers": ("timeline",),
    "cclo_contacts": ("timeline",),
    "staffing": ("timeline", "addons"),
    "deadlines": ("timeline",),
    "coverage": ("timeline",),
    "weekly_hours": ("timeline", "addons"),
}
"""Which read models each projection is computed from (``rebuild PROJECTION`` rebuilds those)."""


def models_for(name: str) -> tuple[str, ...]:
    """The read models behind a projection name, or the read model itself if ``name`` is one."""
    if name in ("timeline", "addons"):
        return (name,)
    if name not in READ_MODELS_OF:
        raise ProjectionError(f"no projection or read model named {name!r}")
    return READ_MODELS_OF[name]
