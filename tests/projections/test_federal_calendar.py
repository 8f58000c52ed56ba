"""The federal working-day calendar (``[calendar]`` of the rules): every day of 2020–2030 against the
hand-worked ``fixtures/federal_holidays.md``, against an independent calendar (the ``holidays``
package's federal ``government`` category), the rules file's configuration obeyed and its mistakes
refused naming the field, and properties of the count and of the weekend move."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from dateutil.easter import easter
from holidays.countries.canada import Canada
from hypothesis import given, settings
from hypothesis import strategies as st

from caseledger.projections.rules import HERE as RULES
from caseledger.projections.rules import Rules, RulesError, load_rules, parse_rules
from caseledger.projections.rules.calendar import days_off, designated, moved
from caseledger.projections.rules.deadlines import due_on
from tests.support.cli import refused, run_cli
from tests.support.paths import FIXTURES

CURRENT = (RULES / "current.toml").read_text()
YEARS = range(2020, 2031)
PROVINCES = ("NL", "PE", "NS", "NB", "QC", "ON", "MB", "SK", "AB", "BC", "YT", "NT", "NU", None)


def every_day(years: range) -> list[dt.date]:
    first, last = dt.date(years.start, 1, 1), dt.date(years.stop - 1, 12, 31)
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def hand_worked() -> dict[str, dict[dt.date, str]]:
    """The fixture's days off by province: {province: {day off: holiday}}."""
    found: dict[str, dict[dt.date, str]] = {"ON": {}, "NS": {}, "QC": {}}
    for line in (FIXTURES / "federal_holidays.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if not re.fullmatch(r"20\d\d", cells[0]):
            continue
        _, name, _, off, where = cells
        for province in where.split():
            found[province][dt.date.fromisoformat(off.split()[1])] = name
    return found


def with_rules(*changes: tuple[str, str]) -> Rules:
    text = CURRENT
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    return parse_rules(text.encode(), "changed.toml")


@pytest.mark.parametrize("province", ["ON", "NS", "QC"])
def test_every_day_of_2020_to_2030_is_worked_or_not_as_worked_by_hand(province: str) -> None:
    """Both directions: each listed day off is not worked, and every other weekday is."""
    off = hand_worked()[province]
    assert len(off) == 132
    calendar = load_rules("current").working_days(province)
    days = every_day(YEARS)
    assert [day for day in off if calendar.works(day)] == []
    assert [day for day in days if day.weekday() < 5 and day not in off and not calendar.works(day)] == []
    assert {day for year in YEARS for day in days_off(load_rules("current").set.calendar, province, year)} == set(off)


@pytest.mark.parametrize("province", ["ON", "NS", "MB", "BC", None])
def test_outside_quebec_it_is_the_holidays_packages_federal_category_with_easter_monday_and_the_civic_holiday(province: str | None) -> None:
    """An independent calendar: ``holidays.Canada(categories=("government",))`` — the holidays of
    federally regulated workplaces, observed days included — lacks only Easter Monday, the first
    Monday of August and the funeral of 2022-09-19 of the public servants' list; neither calendar
    knows a province's own days (Nova Scotia's Heritage Day, Manitoba's Louis Riel Day, BC Day...)."""
    government = Canada(categories=("government",), years=YEARS)
    also = {dt.date(2022, 9, 19)}
    for year in YEARS:
        august = dt.date(year, 8, 1)
        also |= {easter(year) + dt.timedelta(days=1), august + dt.timedelta(days=(7 - august.weekday()) % 7)}
    calendar = load_rules("current").working_days(province)
    independent = {day for day in government if day.weekday() < 5} | also
    assert {day for day in every_day(YEARS) if day.weekday() < 5 and not calendar.works(day)} == independent


def test_a_holiday_moves_past_another_and_across_the_weekend_in_date_order() -> None:
    """Christmas 2022 is a Sunday and Boxing Day the Monday: Christmas is taken on Tuesday 27.
    Christmas 2021 (Saturday) → Monday 27, Boxing Day (Sunday) → Tuesday 28. New Year 2022
    (Saturday) → Monday 3 January."""
    calendar = load_rules("current").set.calendar
    assert {day: name for day, name in days_off(calendar, "ON", 2022).items() if day.month in (1, 12)} == {
        dt.date(2022, 1, 3): "New Year's Day (moved from 2022-01-01)",
        dt.date(2022, 12, 26): "Boxing Day",
        dt.date(2022, 12, 27): "Christmas Day (moved from 2022-12-25)",
    }
    assert sorted(day for day in days_off(calendar, "ON", 2021) if day.month == 12) == [dt.date(2021, 12, 27), dt.date(2021, 12, 28)]


def test_the_calendar_is_the_rules_files() -> None:
    """Each part of ``[calendar]`` is obeyed: without the weekend move Christmas 2022 (a Sunday)
    leaves Tuesday 27 December worked; an area day for Nova Scotia (its Heritage Day, the third
    Monday of February) is off there and nowhere else; a proclaimed day is off; ``from`` keeps
    Truth and Reconciliation 2020 a working day; a last Monday (n = -1) and a weekday before a date
    land where they say."""
    unmoved = with_rules(("weekend_move = true", "weekend_move = false"))
    assert unmoved.working_days("ON").works(dt.date(2022, 12, 27)) and not load_rules("current").working_days("ON").works(dt.date(2022, 12, 27))
    heritage = with_rules(("QC = { name", 'NS = { name = "Heritage Day", kind = "nth_weekday", n = 3, weekday = "monday", month = 2 }\nQC = { name'))
    assert [heritage.working_days(province).works(dt.date(2026, 2, 16)) for province in ("NS", "ON", None)] == [False, True, True]
    assert heritage.working_days("NS").works(dt.date(2026, 8, 3))  # Nova Scotia's area day is no longer the Civic Holiday
    proclaimed = with_rules(("proclaimed = [2022-09-19]", "proclaimed = [2022-09-19, 2026-03-10]"))
    assert not proclaimed.working_days("QC").works(dt.date(2026, 3, 10))
    current = load_rules("current").working_days("ON")
    assert current.works(dt.date(2020, 9, 30)) and not current.works(dt.date(2021, 9, 30))
    kinds = with_rules(
        (
            "[calendar.area_day]",
            'last = { name = "Last Monday of May", kind = "nth_weekday", n = -1, weekday = "monday", month = 5 }\n'
            'before = { name = "Friday before 1 March", kind = "weekday_before", weekday = "friday", month = 3, day = 1 }\n\n'
            "[calendar.area_day]",
        )
    )
    assert dt.date(2026, 5, 25) in days_off(kinds.set.calendar, "ON", 2026)  # May 2026: Mondays 4, 11, 18, 25
    assert dt.date(2026, 2, 27) in days_off(kinds.set.calendar, "ON", 2026)  # 1 March 2026 is a Sunday


def test_closed_days_and_the_federal_days_come_together() -> None:
    closed = with_rules(("closed_days = []", "closed_days = [2026-12-24, 2026-12-31]"))
    calendar = closed.working_days("ON")
    assert [day.day for day in calendar.working(2026) if day.month == 12 and day.day > 20] == [21, 22, 23, 29, 30]  # 25 Fri, 28 for Boxing Day


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('kind = "easter", days = 1', 'kind = "lunar", days = 1'), "Invalid value 'lunar' - at `$.calendar.holidays.easter_monday.kind`"),
        (("\nQC = { name", "\nXQ = { name"), "Invalid enum value 'XQ' - at `key` in `$.calendar.area_day`"),
        (("month = 11, day = 11", "month = 11, day = 11, observed = true"), "unknown field `observed` - at `$.calendar.holidays.remembrance_day`"),
        (('n = 2, weekday = "monday"', 'n = 5, weekday = "monday"'), "at `$.calendar.holidays.thanksgiving.n`"),
        (('weekday = "monday", month = 5', 'weekday = "mon", month = 5'), "at `$.calendar.holidays.victoria_day.weekday`"),
        (("days = -2", "days = -200"), "Expected `int` >= -60 - at `$.calendar.holidays.good_friday.days`"),
        (("month = 6, day = 24", "month = 6, day = 31"), "calendar.area_day.QC.day: month 6 has no day 31 every year"),
        (("month = 12, day = 26", "month = 2, day = 29"), "calendar.holidays.boxing_day.day: month 2 has no day 29 every year"),
        (("default = { name", "ON = { name"), "calendar.area_day.default: needed"),
        (("proclaimed = [2022-09-19]", "proclaimed = [2022-09-19, 2022-09-19]"), "calendar.proclaimed: 2022-09-19 is listed more than once"),
        (("weekend_move = true\n", ""), "missing required field `weekend_move` - at `$.calendar`"),
        (("weekend_move = true", "weekend_move = true\nmove_to = 1"), "unknown field `move_to` - at `$.calendar`"),
    ],
)
def test_a_calendar_that_cannot_be_is_refused_naming_the_field(change: tuple[str, str], message: str) -> None:
    assert change[0] in CURRENT
    with pytest.raises(RulesError) as caught:
        parse_rules(CURRENT.replace(*change, 1).encode(), "bad.toml")
    assert str(caught.value).startswith("bad.toml: ") and message in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.slow
def test_the_command_line_refuses_an_unknown_province_in_one_line(sqlite_url: str, tmp_path: Path) -> None:
    assert run_cli(sqlite_url, "import", str(FIXTURES / "deadlines_scenario.jsonl")).returncode == 0
    bad = tmp_path / "regional.toml"
    bad.write_text(CURRENT.replace('name = "current"', 'name = "regional"').replace("\nQC = { name", "\nPQ = { name"))
    refused(run_cli(sqlite_url, "export", "deadlines", "--rules", str(bad)), "Invalid enum value 'PQ' - at `key` in `$.calendar.area_day`")


def test_the_calendars_edges_are_counted_not_crashed_on() -> None:
    """Year 1 and year 9999 build; a count past 31 December 9999 is clamped by the due date."""
    rules = load_rules("current")
    calendar = rules.working_days("QC")
    assert calendar.works(dt.date(1, 1, 2)) and not calendar.works(dt.date(1, 1, 1))  # 1 January of year 1 is a Monday
    assert calendar.nth(dt.date(9999, 12, 20), 3) == dt.date(9999, 12, 22)
    assert due_on(rules.deadline("siu_first_review"), dt.date(9999, 12, 30), long_sentence=False, calendar=calendar) == dt.date.max


@settings(max_examples=200)
@given(
    st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)),
    st.integers(1, 400),
    st.sampled_from(PROVINCES),
    st.lists(st.dates(dt.date(1990, 1, 1), dt.date(2102, 12, 31)), max_size=5),
)
def test_the_nth_working_day_is_worked_and_n_working_days_from_the_anchor(anchor: dt.date, count: int, province: str | None, closed: list[dt.date]) -> None:
    text = CURRENT.replace("closed_days = []", f"closed_days = [{', '.join(day.isoformat() for day in closed)}]")
    calendar = parse_rules(text.encode(), "closed.toml").working_days(province)
    due = calendar.nth(anchor, count)
    assert calendar.works(due) and due.weekday() < 5 and due not in closed
    assert sum(calendar.works(anchor + dt.timedelta(days=n)) for n in range((due - anchor).days + 1)) == count


@settings(max_examples=200)
@given(st.integers(1583, 4099), st.sampled_from(PROVINCES))
def test_every_designated_holiday_of_a_year_takes_its_own_weekday(year: int, province: str | None) -> None:
    calendar = load_rules("current").set.calendar
    off = days_off(calendar, province, year)
    assert all(day.weekday() < 5 and day.year == year for day in off)
    assert len(off) == len(designated(calendar, province, year))


@given(st.lists(st.dates(dt.date(2000, 1, 1), dt.date(2000, 3, 31)), max_size=30))
def test_a_moved_holiday_lands_on_the_next_weekday_no_holiday_holds(own: list[dt.date]) -> None:
    """Any holidays at all, colliding or on weekends: each is taken on a weekday of its own, on or
    after its date, and every weekday it passed over is another holiday's own date or day off."""
    found = moved([(day, f"h{n}") for n, day in enumerate(own)])
    offs = [off for _, off, _ in found]
    assert len(offs) == len(set(offs)) == len(own)
    dates = set(own)
    for day, off, _ in found:
        assert off.weekday() < 5 and off >= day
        passed = [day + dt.timedelta(days=n) for n in range((off - day).days)]
        assert all(skipped.weekday() >= 5 or skipped in dates or skipped in offs for skipped in passed)
