"""What every projection computes from: the replayed world at T, the cut, the rules, the facts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal, get_args

from caseledger.projections.readmodels.database import Cursor, Database
from caseledger.projections.replay.caseloads import Cut
from caseledger.projections.replay.facts import EVERY_WEEK, View, Weeks
from caseledger.projections.replay.world import Case, World
from caseledger.projections.rules import Rules

ColumnKind = Literal["str", "int", "float", "bool", "date", "counts"]
"""What a column holds: ``counts`` is a count per key of a fixed enumeration (the column's ``keys``).
How each kind is written in each format: :mod:`caseledger.projections.output.formats`."""


BASE_TYPES = frozenset(
    {
        "SiteRegistered",
        "OfficerRegistered",
        "OffenderAdmitted",
        "CaseAssigned",
        "TransferRequested",
        "TransferCompleted",
        "TransferCancelled",
        "OffenderReleased",
    }
)
"""The timeline events every case-based projection needs: registrations, location, assignment."""


@dataclass(frozen=True)
class Column:
    """An output column and its type (exports need the type even when there are no rows)."""

    name: str
    kind: ColumnKind
    keys: tuple[str, ...] = ()
    """A ``counts`` column's keys, in order: every row has a count for each (0 where it has none)."""

    def __post_init__(self) -> None:
        if (self.kind == "counts") != bool(self.keys):
            raise ValueError(f"column {self.name}: keys belong to a counts column, and a counts column needs them")


def columns(spec: str) -> tuple[Column, ...]:
    """``"officer:str, minutes:int"`` → columns, so each projection states its header in one line."""
    parts = (item.strip().split(":") for item in spec.split(","))
    return tuple(Column(name, _KINDS[kind]) for name, kind in parts)


_KINDS: dict[str, ColumnKind] = {kind: kind for kind in get_args(ColumnKind)}


@dataclass
class Inputs:
    world: World
    view: View
    rules: Rules
    cursor: Cursor
    db: Database
    gone: set[int]
    weeks: Weeks = EVERY_WEEK
    """The weeks an export asked for (``--from``/``--to``; only the add-on projections take them)."""
    shared: dict[object, object] = field(default_factory=dict, repr=False, compare=False)
    """What several projections computed from these inputs share (one pass over the days serves
    coverage, its roll-up and weekly hours, under every rule set: see ``compute_together``)."""
    cut: Cut = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.cut = Cut(self.world, self.view)

    def today_at(self, site: str | None) -> dt.date:
        """T's local date at ``site``."""
        return self.cut.today_at(site)

    def counted_cases(self) -> list[Case]:
        return self.cut.counted_cases()


def rounded(value: Fraction | int, places: int) -> float:
    """Round-half-even on the exact value (float rounding would not be exact)."""
    value = Fraction(value)
    return rounded_ratio(value.numerator, value.denominator, places)


def rounded_ratio(numerator: int, denominator: int, places: int) -> float:
    """numerator / denominator (denominator > 0) rounded half-even to ``places``, in integers only
    (exact, and several times faster than Fraction rounding on a 500,000-row export)."""
    scale = 10**places
    quotient, remainder = divmod(numerator * scale, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2):
        quotient += 1
    return quotient / scale


def days(later: dt.date | None, earlier: dt.date | None) -> int | None:
    """Difference of two local dates in days, or None if either is missing."""
    if later is None or earlier is None:
        return None
    return (later - earlier).days
