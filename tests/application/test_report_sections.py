"""The report's sections from hand-made export rows (no store: the rows are what :mod:`.figures`
would keep), for what the demo's data may not show: a week of the period without rows, a month
without CCLO contacts, staffing gaps of both signs worked out by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from caseledger.application.report.figures import Figures, ReportSpec
from caseledger.application.report.sections import addon_burden, cclo_contacts, coverage, staffing, weekly_hours
from caseledger.domain.model.times import iso_week
from tests.support.report_tables import chart_axis

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def figures(first: str, last: str, rows: dict[str, list[dict[str, Any]]], rules: str = "current,proposed") -> Figures:
    spec = ReportSpec.of(first, last, rules=rules, now=NOW)
    return Figures(spec, {(name, rule_set.name): found for name, found in rows.items() for rule_set in spec.rules}, {})


@given(st.dates(dt.date(1990, 1, 1), dt.date(2026, 5, 31)), st.integers(0, 1200))
def test_the_weeks_and_months_of_a_period_are_those_its_days_fall_in(first: dt.date, length: int) -> None:
    """Every day of the period, walked one by one: the ISO weeks and the months they fall in, in
    order and each once — the axes of the weekly and monthly charts."""
    last = min(first + dt.timedelta(days=length), NOW.date())
    spec = ReportSpec.of(str(first), str(last), now=NOW)
    days = [first + dt.timedelta(days=step) for step in range((last - first).days + 1)]
    assert spec.week_labels == list(dict.fromkeys(iso_week(day) for day in days))
    assert spec.months == list(dict.fromkeys(f"{day:%Y-%m}" for day in days))
    assert (spec.weeks.first, spec.weeks.last) == (spec.week_labels[0], spec.week_labels[-1])


def test_a_weekly_chart_spans_every_week_of_its_command_even_weeks_without_rows() -> None:
    """2026-01-05 (Monday of W02) to 2026-01-25 (Sunday of W04): rows in W02 and W03 only. The
    commands say --from 2026-W02 --to 2026-W04, so each chart's axis runs W02, W03, W04."""
    week = {"site": "S1", "officer_weeks": 1}
    found = figures(
        "2026-01-05",
        "2026-01-25",
        {
            "addon_burden by site": [{**week, "week": w, "category": "clerical", "minutes": 90} for w in ("2026-W02", "2026-W03")],
            "weekly_hours": [{**week, "week": w, "overtime_hours": 2.5} for w in ("2026-W02", "2026-W03")],
            "coverage by site": [
                {**week, "week": w, "covered_case_days": 7, "uncovered_case_days": 0, "covered_hours": 3.0, "uncovered_hours": 0.0, "backfill_fte": 0.08}
                for w in ("2026-W02", "2026-W03")
            ],
        },
    )
    for section in (addon_burden(found), weekly_hours(found), coverage(found)):
        assert chart_axis(section.charts[0].svg) == (3, "2026-W02", "2026-W04"), section.key
        assert all("--from 2026-W02 --to 2026-W04" in command for command in section.sources), section.sources
    assert addon_burden(found).tables[0].totals == [("all sites", 3.0, 3.0, 0.03)]  # 180 min = 3 h; 3 / 37.5 / 3 weeks = 0.0267


def test_the_cclo_months_are_every_month_of_the_period_zero_where_none() -> None:
    """2026-01-20 to 2026-04-02 touches January to April; contacts in February only: four month
    columns, January, March and April zero, then the period's contacts and minutes."""
    found = figures(
        "2026-01-20",
        "2026-04-02",
        {"cclo_contacts": [{"site": "S1", "month": "2026-02", "contacts": 3, "minutes": 95}, {"site": "S2", "month": "2026-02", "contacts": 1, "minutes": 20}]},
    )
    section = cclo_contacts(found)
    (table,) = section.tables
    assert table.headers == ("site", "2026-01", "2026-02", "2026-03", "2026-04", "contacts", "minutes")
    assert table.rows == [("S1", 0, 3, 0, 0, 3, 95), ("S2", 0, 1, 0, 0, 1, 20)]
    assert table.totals == [("all sites", 0, 4, 0, 0, 4, 115)]
    assert chart_axis(section.charts[0].svg) == (4, "2026-01", "2026-04")
    assert "2026-01 to 2026-04" in section.question and "Community Corrections Liaison Officers" in section.title


def test_a_long_period_puts_its_cclo_months_in_a_table_a_year() -> None:
    """2024-01-01 to 2025-06-30: 18 months, more than a page's width: January–December 2024, then
    January–June 2025 with the period's totals."""
    found = figures("2024-01-01", "2025-06-30", {"cclo_contacts": [{"site": "S1", "month": "2025-06", "contacts": 2, "minutes": 30}]})
    first, second = cclo_contacts(found).tables
    assert first.headers == ("site", *(f"2024-{month:02d}" for month in range(1, 13)))
    assert second.headers == ("site", *(f"2025-{month:02d}" for month in range(1, 7)), "contacts", "minutes")
    assert first.rows == [("S1", *[0] * 12)] and second.rows == [("S1", 0, 0, 0, 0, 0, 2, 2, 30)]


def test_staffing_totals_add_shortages_and_surpluses_apart() -> None:
    """The demo's gaps under the current ratios, by hand: shortages 2.04 + 2.30 + 1.38 + 3.93 =
    9.65 FTE at four sites; surpluses 0.68 + 3.06 + 0.33 + 1.00 = 5.07 FTE at four; their net, 4.58,
    is what the report must not print as "the" gap. Under a second rule set the same sites (the
    rows are the same here), so one column and one totals row say both."""
    gaps = [2.04, -0.68, 2.3, 1.38, -3.06, -0.33, -1.0, 3.93]
    rows = [
        {"site": f"S{number}", "kind": "institution", "cases": 100, "officers_available_fte": 5.0, "required_fte": round(5.0 + gap, 2), "gap_fte": gap}
        for number, gap in enumerate(gaps, start=1)
    ]
    section = staffing(figures("2026-01-01", "2026-01-31", {"staffing": rows}))
    assert section.tables[1].headers == ("rules", "cases (distinct offenders)", "available FTE", "required FTE", "shortage FTE", "surplus FTE", "sites short")
    assert section.tables[1].rows == [("current and proposed", 800, 40.0, 44.58, 9.65, 5.07, 4)]
    assert section.tables[0].headers[4:] == ("required FTE (current and proposed)", "gap FTE (current and proposed)")
    assert [headline.figure for headline in section.headlines] == [9.65]
    assert "one column and one line show both" in section.question
