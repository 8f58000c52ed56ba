"""The running application's clock: what "now", "today" and "this week" are.

Today is the site's (the specification's "Time"): every "today", "this week", default
``occurred_at``, due-soon and overdue is the local date, or ISO week, at the site concerned at the
clock's instant — never the host's date and never the UTC date. An officer in Ontario recording at
20:30 on a Sunday records that Sunday, and sees that Sunday's week, on a host whose clock already
says Monday in UTC.

One :class:`Clock` serves a running application (the terminal UI's session, a command); tests
inject a fixed one, so no test depends on the wall clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from caseledger.domain.model.times import iso_week, utc_now, zone


@dataclass(frozen=True)
class Clock:
    """The system clock, or a fixed instant (``fixed``, aware) in tests and snapshots."""

    fixed: dt.datetime | None = None

    def __post_init__(self) -> None:
        if self.fixed is not None and self.fixed.tzinfo is None:
            raise ValueError("a fixed clock needs an aware instant: a naive one is ambiguous across the sites' time zones")

    def now(self) -> dt.datetime:
        """The instant now, in UTC."""
        return utc_now() if self.fixed is None else self.fixed.astimezone(dt.UTC)

    def today_in(self, zone_name: str | None) -> dt.date:
        """The local date now in the IANA zone ``zone_name`` (a site's; None: UTC, for a
        site-less reader such as an auditor)."""
        return self.now().astimezone(zone(zone_name or "UTC")).date()

    def latest_today_in(self, zone_names: Iterable[str]) -> dt.date:
        """The latest local date now among ``zone_names`` (a period over several sites may end on
        a day that has begun at one of them; UTC's date when there are none)."""
        return max((self.today_in(name) for name in zone_names), default=self.today_in(None))

    def week_in(self, zone_name: str | None) -> str:
        """The ISO week (``2026-W49``) containing :meth:`today_in` ``zone_name``."""
        return iso_week(self.today_in(zone_name))


SYSTEM_CLOCK = Clock()
"""The host's clock: the default of every running application."""
