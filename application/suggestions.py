"""What the record form offers while a person types an id: the values the ledger already knows.

Each field that names something already registered or seen — an officer, a site, an offender of
the officer's caseload, a complexity factor, a liaison officer and their police service — gets the
known values, the officer's own site and cases first, so typing a few letters completes the rest
(a typo such as ``mental_helth`` is then the exception, not the norm). Free entry stays possible:
a new offender is admitted under a new id. Read from the world the officer's screens read (at now,
the head's case rows), so it does not grow with history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from caseledger.projections.engine.projector import Projector
from caseledger.projections.replay.facts import View, retracted

OFFICER_FIELDS = ("officer", "covering_officer")
SITE_FIELDS = ("site", "to_site", "destination_site")


@dataclass(frozen=True)
class Offers:
    """What the record form offers: each field's known values, most likely first, and what a
    value implies for other fields (a liaison officer's police service)."""

    values: dict[str, list[str]] = field(default_factory=dict)
    follows: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    """field → value → {other field: its value}."""


def known_values(projector: Projector, view: View, officer: str) -> Offers:
    """The values to offer, by field, and what a liaison officer implies."""
    db = projector.db
    with db.transaction(write=False) as cursor:
        world = projector.snapshots.world_for_officer(cursor, officer, view, retracted(cursor, db, view))
    me = world.officers.get(officer)
    here = me.site if me is not None else None
    officers = sorted(world.officers, key=lambda name: (world.officers[name].site != here, name))
    sites = sorted(world.sites, key=lambda name: (name != here, name))
    covering = world.covered_by(officer)
    cases = sorted(world.cases.values(), key=lambda case: (case.officer != officer, case.offender))
    offenders = [case.offender for case in cases if case.officer == officer or case.officer in covering]
    factors = sorted({factor for case in world.cases.values() for factor in case.factors})
    values = dict.fromkeys(OFFICER_FIELDS, officers) | dict.fromkeys(SITE_FIELDS, sites)
    values |= {
        "offender": offenders,
        "factor": factors,
        "complexity": factors,
        "cclo": sorted(world.cclos),
        "police_service": sorted(set(world.cclos.values())),
    }
    return Offers(values, {"cclo": {cclo: {"police_service": service} for cclo, service in world.cclos.items()}})
