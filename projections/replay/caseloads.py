"""Who carries which cases at T: the case-counting rules every workload figure shares.

Kept apart from any rule set: a caseload is a histogram by number of complexity factors (the
multiplier depends on nothing else), so the workload projection, the staffing projection and the
weekly figures behind *My week*'s chart all count the same way and apply rules afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection
from fractions import Fraction

from caseledger.projections.replay.facts import View
from caseledger.projections.replay.world import Case, OfficerInfo, World
from caseledger.projections.rules import Rules


class Cut:
    """A world at a view's T: T's local date at each site (worked out once per site) and the
    cases that still count."""

    def __init__(self, world: World, view: View) -> None:
        self.world = world
        self.view = view
        self._dates: dict[str | None, dt.date] = {}

    def zone_of(self, site: str | None) -> str:
        info = self.world.sites.get(site or "")
        return info.timezone if info is not None else "UTC"

    def today_at(self, site: str | None) -> dt.date:
        """T's local date at ``site``."""
        found = self._dates.get(site)
        if found is None:
            found = self._dates[site] = self.view.local_date_of_t(self.zone_of(site))
        return found

    def expired(self, case: Case) -> bool:
        """After the warrant expiry date an offender is in no caseload and no site count."""
        return self.today_at(case.where) > case.warrant_expiry

    def counted_cases(self) -> list[Case]:
        return [case for case in self.world.cases.values() if not self.expired(case)]


def covers_of(world: World) -> dict[str, list[OfficerInfo]]:
    """Each officer's absent colleagues (on leave) whose caseloads they cover."""
    found: dict[str, list[OfficerInfo]] = {}
    for absent in world.officers.values():
        if absent.on_leave:
            for coverer in absent.covered_by:
                found.setdefault(coverer, []).append(absent)
    return found


class Caseloads:
    """Each officer's counted cases at T by number of complexity factors, and who covers whom —
    for every officer, or only as far as officers ``only`` need (their own cases and those of
    the absent colleagues they cover), which is what one officer's screen asks."""

    def __init__(self, cut: Cut, only: Collection[str] | None = None) -> None:
        self.covers = covers_of(cut.world)
        """Each officer's absent colleagues (on leave) whose caseloads they cover."""
        wanted = None if only is None else {*only, *(absent.officer for officer in only for absent in self.covers.get(officer, []))}
        self.own: defaultdict[str, Counter[int]] = defaultdict(Counter)
        for case in cut.world.cases.values():
            holder = case.officer
            if holder is not None and (wanted is None or holder in wanted) and not cut.expired(case):
                self.own[holder][len(case.factors)] += 1

    def count(self, officer: str) -> int:
        return sum(self.own.get(officer, Counter()).values())

    def effective(self, officer: OfficerInfo) -> Counter[int]:
        """The cases ``officer`` carries: their own unless on leave, plus those of the absent
        colleagues they cover."""
        carried: Counter[int] = Counter() if officer.on_leave else Counter(self.own.get(officer.officer, Counter()))
        for absent in self.covers.get(officer.officer, []):
            carried.update(self.own.get(absent.officer, Counter()))
        return carried


def weighted(rules: Rules, factors: Counter[int]) -> Fraction:
    """Σ complexity multiplier over cases given as a histogram by factor count (exact, summed in
    integers over the multipliers' common denominator)."""
    return Fraction(sum(count * rules.scaled_multiplier(number) for number, count in factors.items()), rules.multiplier_scale)
