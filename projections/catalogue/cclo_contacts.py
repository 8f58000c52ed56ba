"""cclo_contacts — police-liaison contacts per site × local month: count, minutes, distinct offenders,
and the count by purpose.

``by_purpose`` is one column, as the specification lists it, of kind ``counts`` over the fixed
enumeration of purposes (:data:`~caseledger.domain.events.catalogue.CcloPurpose`, in its order).
A row holds only the purposes with a count (as the hand-checked scenario reads); every export
writes all five, 0 where there was none, so the column has one shape in every row and every
format: a struct of five integers in Parquet, an object with five keys in JSON and JSON Lines, that
object's JSON text in CSV (a CSV cell is text; see :mod:`caseledger.projections.output.formats`).
A struct rather than a map: the keys are known, so the schema names them even when an export is
empty, duckdb reads ``by_purpose.apprehension`` from Parquet and JSON alike (a JSON object reads as
a struct), and pandas gets the same dict from each.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, get_args

from caseledger.domain.events.catalogue import CcloPurpose
from caseledger.projections.replay.inputs import BASE_TYPES, Column, Inputs, columns
from caseledger.projections.replay.world import Contact

NAME = "cclo_contacts"
EVENT_TYPES = BASE_TYPES | {"CcloContactRecorded"}
"""The timeline event types this projection reads (the rest are not loaded)."""
PURPOSES: tuple[str, ...] = get_args(CcloPurpose)
COLUMNS = (*columns("site:str, month:str, contacts:int, minutes:int, offenders:int"), Column("by_purpose", "counts", PURPOSES))


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
