"""staffing — one row per site: cases against the officers available, under the chosen rule set.

cases = offenders whose location is the site (warrant-expired ones excluded). Available FTE =
Σ weekly_hours / standard week over the site's caseload-carrying officers (institutional_po,
community_po, ccc_po) not on leave. Required FTE = cases / ratio where the site has a ratio; at
a community office, Σ estimated weekly hours / standard week of every officer at the site (the
workload projection's exact figure). Running it under ``current`` and ``proposed`` shows how many
officers the proposed ratios need.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from typing import Any

from caseledger.projections.catalogue import workload
from caseledger.projections.replay.inputs import Inputs, columns, rounded

NAME = "staffing"
EVENT_TYPES = workload.EVENT_TYPES
"""The timeline event types this projection reads (the rest are not loaded)."""
COLUMNS = columns("site:str, kind:str, cases:int, officers_available_fte:float, required_fte:float, gap_fte:float")
CASELOAD_ROLES = ("institutional_po", "community_po", "ccc_po")


def compute(inputs: Inputs) -> list[dict[str, Any]]:
    world, rules = inputs.world, inputs.rules
    week = rules.weekly_hours
    cases = Counter(case.location for case in inputs.counted_cases() if case.location)
    estimated: dict[str, Fraction] = {}
    if any(site.kind == "community_office" for site in world.sites.values()):
        estimated = {load.officer.officer: load.estimated for load in workload.assess(inputs)}
    rows = []
    for site in sorted(world.sites.values(), key=lambda s: s.site):
        officers = [o for o in world.officers.values() if o.site == site.site]
        available = sum((o.weekly_hours / week for o in officers if o.role in CASELOAD_ROLES and not o.on_leave), Fraction(0))
        ratio = rules.ratio(site.kind, site.security_levels)
        if ratio is not None:
            required = Fraction(cases[site.site], ratio)
        else:
            required = sum((estimated.get(o.officer, Fraction(0)) for o in officers), Fraction(0)) / week
        rows.append(
            {
                "site": site.site,
                "kind": site.kind,
                "cases": cases[site.site],
                "officers_available_fte": rounded(available, 2),
                "required_fte": rounded(required, 2),
                "gap_fte": rounded(required - available, 2),
            }
        )
    return rows
