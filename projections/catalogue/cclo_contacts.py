"""cclo_contacts — police-liaison contacts per site × local month: count, minutes, distinct offenders,
and the count by purpose (an object; in CSV and Parquet, its JSON text)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from caseledger.projections.replay.inputs import BASE_TYPES, Inputs, columns
from caseledger.projections.replay.world import Contact

NAME = "cclo_contacts"
EVENT_TYPES = BASE_TYPES | {"CcloContactRecorded"}
"""The timeline event types this projection reads (the rest are not loaded)."""
COLUMNS = columns("site:str, month:str, contacts:int, minutes:int, offenders:int, by_purpose:json")


def compute(inputs: Inputs) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str], list[Contact]] = defaultdict(list)
    for contact in inputs.world.contacts:
        groups[(contact.site or "", contact.month)].append(contact)
    return [
        {
            "site": site,
            "month": month,
            "contacts": len(contacts),
            "minutes": sum(contact.minutes for contact in contacts),
            "offenders": len({contact.offender for contact in contacts}),
            "by_purpose": dict(sorted(Counter(contact.purpose for contact in contacts).items())),
        }
        for (site, month), contacts in sorted(groups.items())
    ]
