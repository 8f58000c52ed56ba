"""The federal working-day calendar (``[calendar]`` of a rules file) that "+ N working days" counts.

Parole officers are federal public servants: their days off are the designated paid holidays of
their collective agreement (Treasury Board–PSAC, Program and Administrative Services), not a
province's statutory holidays. The rules file lists each holiday by a rule (a fixed date, the
n-th weekday of a month, the weekday before a date, a day counted from Easter), the one area day
of each province (Saint-Jean-Baptiste in Quebec, the Civic Holiday elsewhere), the days
proclaimed by Act of Parliament, and whether a holiday on a weekend moves. Nothing of it is a
constant here: this module only knows how to read the rules. Easter and "the n-th Monday" come
from ``python-dateutil`` (the date arithmetic the ``holidays`` package itself is built on).

A holiday that falls on a Saturday, a Sunday or another holiday moves to the next weekday that is
not a holiday, the holidays taken in date order: Christmas on a Sunday goes to Tuesday 27 December
when Boxing Day is the Monday. A site's :class:`WorkingDays` builds each year's days off once, so
asking whether a day is worked is a set look-up and the n-th working day a bisection.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from typing import Annotated, Literal, get_args

import msgspec
from dateutil.easter import easter
from dateutil.relativedelta import relativedelta, weekday

from caseledger.domain.events.catalogue import Province

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)
Month = Annotated[int, msgspec.Meta(ge=1, le=12)]
DayOfMonth = Annotated[int, msgspec.Meta(ge=1, le=31)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
PROCLAIMED = "Proclaimed by Act of Parliament"


class HolidayRule(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, tag_field="kind"):
    """One designated holiday: its name, the first year it is one (``from``), and (in each kind)
    the date it falls on in a year."""

    name: Name
    from_year: Annotated[int, msgspec.Meta(ge=1, le=9999)] | None = msgspec.field(default=None, name="from")

    def on(self, year: int) -> dt.date | None:
        """Its own date in ``year`` (before any move), or None before its first year or when the
        rule would take it outside the calendar (a weekday before 2 January of year 1)."""
        if self.from_year is not None and year < self.from_year:
            return None
        try:
            return self.date_in(year)
        except (OverflowError, ValueError):  # before 1 January of year 1, after 31 December 9999
            return None

    def date_in(self, year: int) -> dt.date:
        raise NotImplementedError


class Fixed(HolidayRule, tag="fixed"):
    """The same day of the same month every year (Canada Day: 1 July)."""

    month: Month
    day: DayOfMonth

    def date_in(self, year: int) -> dt.date:
        return dt.date(year, self.month, self.day)


class NthWeekday(HolidayRule, tag="nth_weekday"):
    """The ``n``-th ``weekday`` of ``month`` (Labour Day: the first Monday of September); ``n``
    = -1 is the month's last."""

    month: Month
    weekday: Weekday
    n: Literal[1, 2, 3, 4, -1]

    def date_in(self, year: int) -> dt.date:
        first = dt.date(year, self.month, 1)
        if self.n > 0:
            return first + relativedelta(weekday=_weekday(self.weekday, self.n))
        return first + relativedelta(day=31, weekday=_weekday(self.weekday, -1))


class WeekdayBefore(HolidayRule, tag="weekday_before"):
    """The last ``weekday`` strictly before ``day`` ``month`` (Victoria Day: the Monday before 25 May)."""

    month: Month
    day: DayOfMonth
    weekday: Weekday

    def date_in(self, year: int) -> dt.date:
        return dt.date(year, self.month, self.day) + relativedelta(days=-1, weekday=_weekday(self.weekday, -1))


class Easter(HolidayRule, tag="easter"):
    """``days`` after Easter Sunday (Western); before it when negative (Good Friday: -2)."""

    days: Annotated[int, msgspec.Meta(ge=-60, le=60)]

    def date_in(self, year: int) -> dt.date:
        return easter(year) + dt.timedelta(days=self.days)


Holiday = Fixed | NthWeekday | WeekdayBefore | Easter


class CalendarRules(msgspec.Struct, forbid_unknown_fields=True):
    """``[calendar]``: the designated paid holidays, as the rules file gives them."""

    weekend_move: bool
    """A holiday on a Saturday, a Sunday or another holiday moves to the next free weekday."""
    proclaimed: list[dt.date]
    """Days proclaimed holidays by Act of Parliament, each once."""
    holidays: dict[Name, Holiday]
    """Every site's holidays, by an id of the file's choosing."""
    area_day: dict[Province | Literal["default"], Holiday]
    """The one provincial or civic day of each province; ``default`` for the others and for a
    site without a province."""


def _weekday(name: Weekday, n: int) -> weekday:
    return weekday(WEEKDAYS.index(name), n)


def calendar_errors(rules: CalendarRules) -> list[str]:
    """Each way ``rules`` cannot be a calendar, as ``field: message``."""
    errors = []
    for where, table in (("holidays", rules.holidays), ("area_day", rules.area_day)):
        for key, rule in table.items():
            if isinstance(rule, Fixed | WeekdayBefore):
                try:
                    dt.date(2001, rule.month, rule.day)  # a year without 29 February
                except ValueError:
                    errors.append(f"calendar.{where}.{key}.day: month {rule.month} has no day {rule.day} every year")
    if "default" not in rules.area_day:
        errors.append("calendar.area_day.default: needed: the area day of a site in a province not listed, or in none")
    repeated = sorted({day for day in rules.proclaimed if rules.proclaimed.count(day) > 1})
    if repeated:
        errors.append(f"calendar.proclaimed: {repeated[0]} is listed more than once")
    return errors


def pinpoint(message: str, document: object) -> str:
    """``message`` (msgspec's, for a file that broke the schema) with the key of the holiday it is
    about, which msgspec writes ``[...]`` inside a table of holidays: ``$.calendar.holidays.NAME.kind``."""
    calendar = document.get("calendar") if isinstance(document, dict) else None
    for table in ("holidays", "area_day"):
        path = f"$.calendar.{table}[...]"
        entries = calendar.get(table) if isinstance(calendar, dict) else None
        if path not in message or not isinstance(entries, dict):
            continue
        for key, entry in entries.items():
            try:
                msgspec.convert(entry, Holiday)
            except msgspec.ValidationError:
                return message.replace(path, f"$.calendar.{table}.{key}")
    return message


def moved(holidays: list[tuple[dt.date, str]]) -> list[tuple[dt.date, dt.date, str]]:
    """Each of ``holidays`` (own date, name), in date order, with the day it is taken off: its own
    date, or when that is a Saturday, a Sunday or a day already taken, the next weekday that is
    neither taken nor another holiday's own date. Moves beyond the calendar's last day are dropped."""
    own = {day for day, _ in holidays}
    taken: set[dt.date] = set()
    found = []
    for day, name in sorted(holidays):
        off = day
        try:
            while off.weekday() >= 5 or off in taken or (off != day and off in own):
                off += dt.timedelta(days=1)
        except OverflowError:
            continue
        taken.add(off)
        found.append((day, off, name))
    return found


def designated(rules: CalendarRules, province: str | None, year: int) -> list[tuple[dt.date, str]]:
    """The designated holidays of ``year`` at a site in ``province``, each on its own date."""
    area = next((rule for key, rule in rules.area_day.items() if key == province), rules.area_day["default"])
    found = [(day, rule.name) for rule in (*rules.holidays.values(), area) if (day := rule.on(year)) is not None]
    return found + [(day, PROCLAIMED) for day in rules.proclaimed if day.year == year]


def days_off(rules: CalendarRules, province: str | None, year: int) -> dict[dt.date, str]:
    """The weekdays of ``year`` off for the holidays at a site in ``province``, with the holiday's
    name (and its own date when it moved). The years either side are taken into the moves, so a
    holiday moved across New Year is counted in the year it lands in."""
    holidays = [holiday for near in range(max(year - 1, dt.MINYEAR), min(year + 1, dt.MAXYEAR) + 1) for holiday in designated(rules, province, near)]
    if not rules.weekend_move:
        return {day: name for day, name in holidays if day.year == year and day.weekday() < 5}
    return {off: name if off == day else f"{name} (moved from {day})" for day, off, name in moved(holidays) if off.year == year}


class WorkingDays:
    """The working days at a site: Monday to Friday, not a designated holiday (moved as the rules
    say) of the site's province, not one of the rule set's closed days. Each year is built once,
    when first asked about."""

    def __init__(self, rules: CalendarRules, province: str | None, closed: frozenset[dt.date]) -> None:
        self.rules = rules
        self.province = province
        self.closed = closed
        self._off: dict[int, frozenset[dt.date]] = {}
        self._working: dict[int, list[dt.date]] = {}

    def off(self, year: int) -> frozenset[dt.date]:
        """The weekdays of ``year`` not worked: holidays and closed days."""
        found = self._off.get(year)
        if found is None:
            holidays = days_off(self.rules, self.province, year)
            found = self._off[year] = frozenset(holidays).union(day for day in self.closed if day.year == year)
        return found

    def works(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.off(day.year)

    def working(self, year: int) -> list[dt.date]:
        """The working days of ``year``, in order."""
        found = self._working.get(year)
        if found is None:
            first, off = dt.date(year, 1, 1), self.off(year)
            days = (first + dt.timedelta(days=n) for n in range((dt.date(year, 12, 31) - first).days + 1))
            found = self._working[year] = [day for day in days if day.weekday() < 5 and day not in off]
        return found

    def nth(self, anchor: dt.date, count: int) -> dt.date:
        """Day ``count`` (at least 1) counting the anchor as day 1 when it is a working day (else
        the next one); OverflowError past the calendar's last year."""
        year = anchor.year
        days = self.working(year)
        index = bisect_left(days, anchor) + count - 1
        while index >= len(days):
            index -= len(days)
            year += 1
            if year > dt.MAXYEAR:
                raise OverflowError("past the calendar's last day")
            days = self.working(year)
        return days[index]
