"""Reading the times people type: ``occurred_at``, ``--as-of`` and ``--known-at``.

A bare date ``YYYY-MM-DD`` is a local date at a site: for ``occurred_at`` it means 00:00 local
time there; for ``--as-of``/``--known-at`` it means the end of that day (the instant before the
next local midnight) at each event's site, so it stays a date (:class:`LocalDay`) until it is
compared with an event. Offsets are required on full timestamps: a timestamp without one is
ambiguous across five time zones and is rejected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import pendulum

from caseledger.domain.errors import DomainError

FUTURE_TOLERANCE = dt.timedelta(hours=24)
"""How far past its recording time an event may say it happened (clock skew, shift ends)."""


@lru_cache(maxsize=256)
def zone(name: str) -> dt.tzinfo:
    """The IANA time zone ``name``; a :class:`DomainError` on ``timezone`` if it is unknown."""
    try:
        return pendulum.timezone(name)
    except Exception as error:  # pendulum raises InvalidTimezone, a KeyError subclass
        raise DomainError("timezone", f"unknown IANA time zone {name!r}") from error


def parse_instant(text: str, field: str) -> dt.datetime | dt.date:
    """Parse ISO 8601 with an offset (a datetime) or a bare ``YYYY-MM-DD`` (a date)."""
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        moment = dt.datetime.fromisoformat(text)
    except ValueError as error:
        raise DomainError(field, f"not an ISO 8601 date (YYYY-MM-DD) or timestamp with offset: {text!r}") from error
    if moment.tzinfo is None:
        raise DomainError(field, f"timestamp needs a UTC offset, e.g. {text}+00:00")
    try:
        moment.astimezone(dt.UTC)
    except OverflowError:
        raise DomainError(field, f"{text!r} is outside the years 1–9999 once taken to UTC") from None
    return moment


def local_midnight(day: dt.date, zone_name: str) -> dt.datetime:
    """00:00 of ``day`` at ``zone_name``, with the fixed offset in force then."""
    start = dt.datetime(day.year, day.month, day.day, tzinfo=zone(zone_name))
    return start.astimezone(dt.timezone(start.utcoffset() or dt.timedelta(0)))


def resolve_occurred_at(value: dt.datetime | dt.date, zone_name: str | None) -> dt.datetime:
    """Turn a parsed ``occurred_at`` into an aware datetime; bare dates use the event's site zone."""
    if isinstance(value, dt.datetime):
        return value
    return local_midnight(value, zone_name or "UTC")


EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
"""Nothing in a parole ledger happened before 1900; earlier instants are typos (and near year 1
they cannot even be converted to UTC)."""


def check_not_future(occurred_at: dt.datetime, recorded_at: dt.datetime) -> None:
    """Reject an ``occurred_at`` before 1900 or more than 24 hours after the recording time."""
    if occurred_at.year < EARLIEST.year + 1 and occurred_at < EARLIEST:
        raise DomainError("occurred_at", f"{occurred_at.isoformat()} is before {EARLIEST.date()}: out of range")
    if occurred_at > recorded_at + FUTURE_TOLERANCE:
        raise DomainError(
            "occurred_at",
            f"{occurred_at.isoformat()} is more than 1 day after the recording time {recorded_at.isoformat(timespec='seconds')}",
        )


def utc_now() -> dt.datetime:
    """The system clock, UTC: the recording time of new events."""
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class LocalDay:
    """A bare date given for ``--as-of``/``--known-at``: the end of that day at each event's site."""

    day: dt.date

    def includes(self, moment: dt.datetime, zone_name: str | None) -> bool:
        """Whether ``moment`` falls on or before this day at ``zone_name``."""
        return moment.astimezone(zone(zone_name or "UTC")).date() <= self.day


Cutoff = dt.datetime | LocalDay


def parse_cutoff(text: str, field: str) -> Cutoff:
    """Parse an ``--as-of``/``--known-at`` value: a timestamp with offset or a bare date."""
    value = parse_instant(text, field)
    return value if isinstance(value, dt.datetime) else LocalDay(value)


def within(moment: dt.datetime, cutoff: Cutoff | None, zone_name: str | None) -> bool:
    """Whether ``moment`` (at a site in ``zone_name``) is at or before ``cutoff`` (None: no cutoff)."""
    if cutoff is None:
        return True
    if isinstance(cutoff, LocalDay):
        return cutoff.includes(moment, zone_name)
    return moment <= cutoff


WEEK_RANGE = ((1900, 1), (9999, 51))
"""The (year, week) a ``--from``/``--to`` may name: from the first week of :data:`EARLIEST`'s year
to the last whose next Monday is still a date (a weekly projection reads to the end of the week)."""


def parse_week(text: str, field: str) -> str:
    """Parse a ``--from``/``--to`` week: an ISO 8601 week like ``2026-W03`` (``2026-w3`` is
    accepted and normalised); a week that does not exist (``2026-W54``) or lies outside
    :data:`WEEK_RANGE` (1900-W01 to 9999-W51) is refused."""
    year, _, week = text.strip().upper().partition("-W")
    try:
        monday = dt.date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise DomainError(field, f"{text!r} is not an ISO week like 2026-W03") from None
    first, last = WEEK_RANGE
    if not first <= (int(year), int(week)) <= last:
        raise DomainError(field, f"{text!r} is outside the weeks {first[0]}-W{first[1]:02d} to {last[0]}-W{last[1]:02d}")
    return iso_week(monday)


def iso_week(day: dt.date) -> str:
    """The ISO 8601 week containing ``day``, as add-on and workload figures label weeks: ``2026-W03``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
