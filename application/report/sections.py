"""The report's eight sections (the specification's "Report"): each a question, its tables, its
charts, the export commands that reproduce them, and the figures it gives the summary.

Every table cell is a sum, a count or a median of one export's rows (:mod:`.figures`), grouped by
site (or deadline, kind, month), so an analyst re-adds an export and gets the same number; a test
does exactly that. Sections 1–3 end with an "all sites" row, computed from the exact figures (not
from the rounded cells above it); the summary's figures are those totals. Sections whose figures
depend on ratios and case hours show a column per rule set — one column, saying so, where the rule
sets give the same rows. A total of staffing gaps never nets one site's surplus against another's
shortage: it shows the shortage and the surplus side by side.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from caseledger.application.report import charts
from caseledger.application.report.charts import Chart
from caseledger.application.report.figures import Figures
from caseledger.application.text import DEADLINE_WORDS, choice_words
from caseledger.projections.replay.inputs import rounded

Row = dict[str, Any]

ALL_SITES = "all sites"
CCLO = "Community Corrections Liaison Officer"
"""The one expansion of "CCLO" the report uses: the union's (USGE's) name for the police officers
who work with the Correctional Service's parole officers."""


@dataclass(frozen=True)
class Table:
    caption: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    totals: list[tuple[Any, ...]] = field(default_factory=list)
    """Rows that add up the rows above them (shown last, marked as totals)."""


@dataclass(frozen=True)
class Headline:
    """One figure of the summary: what it measures (a sentence a committee can quote) and the figure."""

    measure: str
    figure: Any


@dataclass(frozen=True)
class Section:
    key: str
    """The section's anchor, and its charts' label (``data-chart``)."""
    title: str
    question: str
    tables: list[Table]
    charts: list[Chart]
    sources: list[str] = field(default_factory=list)
    """The export commands whose rows the tables add up (their weeks are the charts' weeks)."""
    headlines: list[Headline] = field(default_factory=list)
    """The section's figures in the summary at the top of the report."""


@dataclass(frozen=True)
class Ruled:
    """Rule sets that give an export the same rows, and those rows: one column and one line of the
    report stand for all of them."""

    names: str
    """``current``, or ``current and proposed`` when both give these rows."""
    rows: list[Row]


def _by(rows: Iterable[Row], *keys: str) -> dict[tuple[Any, ...], list[Row]]:
    groups: defaultdict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for row in rows:
        groups[tuple(row[key] for key in keys)].append(row)
    return dict(sorted(groups.items(), key=lambda item: tuple(str(value) for value in item[0])))


def _median(values: Iterable[int | None]) -> float | None:
    present = [value for value in values if value is not None]
    return float(statistics.median(present)) if present else None


def _sum(rows: Iterable[Row], column: str) -> Fraction:
    """Σ a column of exports' 2-decimal figures, exactly (in hundredths: each value is a float
    holding a number rounded to 2 decimals, so ``round(value * 100)`` is that number's cents);
    the caller rounds once."""
    return Fraction(sum(round(row[column] * 100) for row in rows), 100)


def _share(count: int, of: int) -> str | None:
    """``count`` of ``of`` as a percentage to one decimal (round-half-even), or None of nothing."""
    return f"{rounded(Fraction(100 * count, of), 1):.1f}%" if of else None


def _weeks(figures: Figures) -> Fraction:
    """The weekly figures' span in weeks: whole ISO weeks from the Monday of the period's first
    week, to its last day (a partial last week counts its days, so an average week is fair)."""
    return Fraction(figures.spec.weekly_days, 7)


def _span_words(figures: Figures) -> str:
    spec = figures.spec
    days = spec.weekly_days
    weeks = spec.weeks
    return (
        f"Counted in whole ISO weeks, {weeks.first} to {weeks.last}: the {days} day{'' if days == 1 else 's'} "
        f"from Monday {spec.monday} (the week of {spec.first}) to {spec.last}."
    )


def _export(name: str, *options: str) -> str:
    return " ".join(["caseledger export", name, *options])


def _weekly_export(figures: Figures, name: str, *options: str) -> str:
    """The command that writes a weekly export over exactly the report's (and its chart's) weeks."""
    weeks = figures.spec.weeks
    return _export(name, *options, f"--from {weeks.first}", f"--to {weeks.last}", f"--as-of {figures.spec.last}")


def _ruled(figures: Figures, name: str) -> list[Ruled]:
    """Export ``name``'s rows under each rule set, rule sets that give the same rows together."""
    groups: list[tuple[list[str], list[Row]]] = []
    for rules in figures.spec.rules:
        rows = figures.of(name, rules)
        same = next((names for names, found in groups if found == rows), None)
        if same is None:
            groups.append(([rules.name], rows))
        else:
            same.append(rules.name)
    return [Ruled(" and ".join(names), rows) for names, rows in groups]


def _alike(figures: Figures, groups: list[Ruled], why: str) -> str:
    """A sentence when every rule set gives the same rows (so one column and one line show them)."""
    if len(figures.spec.rules) > 1 and len(groups) == 1:
        return f" The {groups[0].names} rules give the same figures here ({why}): one column and one line show both."
    return ""


def _headers(groups: list[Ruled], *names: str) -> tuple[str, ...]:
    return tuple(f"{name} ({group.names})" for group in groups for name in names)


def _side_by_side(groups: list[Ruled], cells: Callable[[list[Row]], tuple[Any, ...]]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """One row per site with ``cells`` of each group of rule sets side by side, and the "all sites"
    row: ``cells`` of every site's rows together."""
    by_group = [_by(group.rows, "site") for group in groups]
    sites = sorted({site for by_site in by_group for site in by_site}, key=lambda site: tuple(str(value) for value in site))
    rows = [(*site, *(value for by_site in by_group for value in cells(by_site.get(site, [])))) for site in sites]
    return rows, [(ALL_SITES, *(value for group in groups for value in cells(group.rows)))]


def _weekly_lines(figures: Figures, groups: list[Ruled], column: str, label: str) -> list[Row]:
    """Σ ``column`` over every site per week of the period (0 in a week without rows), a line per group."""
    lines = []
    for group in groups:
        per_week = _by(group.rows, "week")
        lines += [{"week": week, "rules": group.names, label: float(_sum(per_week.get((week,), []), column))} for week in figures.spec.week_labels]
    return lines


def _weekly_chart(figures: Figures, groups: list[Ruled], measure: tuple[str, str, str], *, y_title: str, title: str, what: str) -> charts.Chart:
    """A line per rule-set group of an export's ``column`` summed over every site, per week of the
    period (``measure``: the chart's key, the column, its label), described for screen readers."""
    key, column, label = measure
    return charts.lines(
        key,
        _weekly_lines(figures, groups, column, label),
        x="week",
        y=label,
        colour="rules",
        x_title="ISO week",
        y_title=y_title,
        domain=figures.spec.week_labels,
        title=title,
        description=f"Lines: {what}, summed over every site, in {_week_words(figures)}, "
        f"a line for the {' and a line for the '.join(group.names for group in groups)} rules. The table below holds the figures by site.",
    )


def _week_words(figures: Figures) -> str:
    weeks = figures.spec.weeks
    return f"each ISO week from {weeks.first} to {weeks.last}"


def addon_burden(figures: Figures) -> Section:
    rows = figures.of("addon_burden by site")
    week_hours = figures.spec.rules[0].weekly_hours
    span = _weeks(figures)
    categories = sorted({row["category"] for row in rows})

    def hours(group: list[Row]) -> tuple[Any, ...]:
        minutes = Counter[str]()
        for row in group:
            minutes[row["category"]] += row["minutes"]
        total = Fraction(minutes.total(), 60)
        return (*(rounded(Fraction(minutes[category], 60), 1) for category in categories), rounded(total, 1), rounded(total / week_hours / span, 2))

    table = [(site, *hours(group)) for (site,), group in _by(rows, "site").items()]
    totals = hours(rows)
    trend = [
        {"week": week, "category": choice_words(category), "hours": float(Fraction(sum(r["minutes"] for r in group), 60))}
        for (week, category), group in _by(rows, "week", "category").items()
    ]
    chart = charts.bars(
        "addon-burden",
        trend,
        x="week",
        y="hours",
        colour="category",
        x_title="ISO week",
        y_title="add-on hours",
        domain=figures.spec.week_labels,
        title="Add-on hours per ISO week, by category",
        description=f"Stacked bars: the add-on hours of every site in {_week_words(figures)}, a colour per category "
        f"({', '.join(choice_words(category) for category in categories)}). The table below holds the hours by site.",
    )
    return Section(
        "addon-burden",
        "1. Add-on burden",
        f"Hours officers spent on add-on tasks, by site and category, and the full-time officers those hours equal in an average week. {_span_words(figures)}",
        [
            Table(
                "Add-on hours by site and category, and the full-time officers they equal in an average week",
                ("site", *(f"{choice_words(category)} (hours)" for category in categories), "all add-ons (hours)", "FTE (average week)"),
                table,
                [(ALL_SITES, *totals)],
            )
        ],
        [chart],
        [_weekly_export(figures, "addon_burden", "--by site")],
        [
            Headline("Hours officers spent on add-on tasks (scanning, faxing, travel logistics, clerical work and the like)", totals[-2]),
            Headline(f"The full-time officers ({float(week_hours):g} hours a week) those add-on hours equal, in an average week", totals[-1]),
        ],
    )


def weekly_hours(figures: Figures) -> Section:
    groups = _ruled(figures, "weekly_hours")

    def over(group: list[Row]) -> tuple[Any, ...]:
        return (len(group), sum(1 for r in group if r["overtime_hours"] > 0), rounded(_sum(group, "overtime_hours"), 2))

    table, totals = _side_by_side(groups, over)
    chart = _weekly_chart(
        figures,
        groups,
        ("weekly-hours", "overtime_hours", "hours over"),
        y_title="hours over the week",
        title="Hours over the officer's week, all sites, per ISO week",
        what="the hours officers' estimated weeks exceed their own week",
    )
    headlines = []
    for group, (weeks, weeks_over, hours_over) in zip(groups, _chunks(totals[0][1:], 3), strict=True):
        headlines += [
            Headline(f"Officer-weeks whose estimated hours exceed the officer's week, of {weeks:,} officer-weeks ({group.names} rules)", weeks_over),
            Headline(f"Hours over the week in those officer-weeks: the overtime to be paid ({group.names} rules)", hours_over),
        ]
    return Section(
        "weekly-hours",
        "2. Hours against the 37.5-hour week",
        "Officer-weeks whose estimated hours (case hours of the cases carried at the week's end, plus that week's add-ons) exceed the officer's week, and the total hours over: the overtime the seeds say should be paid. "
        + _span_words(figures)
        + _alike(figures, groups, "their case hours and weightings agree"),
        [
            Table(
                "Officer-weeks over the officer's week, and the hours over, by site",
                ("site", *_headers(groups, "officer-weeks", "weeks over", "hours over")),
                table,
                totals,
            )
        ],
        [chart],
        [_weekly_export(figures, "weekly_hours", f"--rules {rules.name}") for rules in figures.spec.rules],
        headlines,
    )


def _chunks(values: Sequence[Any], size: int) -> list[tuple[Any, ...]]:
    """``values`` cut into tuples of ``size`` (a group of rule sets' cells each)."""
    return [tuple(values[start : start + size]) for start in range(0, len(values), size)]


def coverage(figures: Figures) -> Section:
    groups = _ruled(figures, "coverage by site")
    span = _weeks(figures)

    def covered(group: list[Row]) -> tuple[Any, ...]:
        return (
            sum(r["covered_case_days"] for r in group),
            sum(r["uncovered_case_days"] for r in group),
            rounded(_sum(group, "covered_hours") + _sum(group, "uncovered_hours"), 2),
            rounded(_sum(group, "backfill_fte") / span, 2),
        )

    table, totals = _side_by_side(groups, covered)
    chart = _weekly_chart(
        figures,
        groups,
        ("coverage", "backfill_fte", "backfill FTE"),
        y_title="backfill FTE (all sites)",
        title="Backfill staff needed, all sites, per ISO week",
        what="the full-time officers a backfill pool would need to carry colleagues' cases",
    )
    headlines = []
    for group, (_covered, uncovered, _hours, backfill) in zip(groups, _chunks(totals[0][1:], 4), strict=True):
        headlines += [
            Headline(f"Case-days nobody carried: cases of officers on leave with no colleague covering ({group.names} rules)", uncovered),
            Headline(f"Backfill staff the covered and uncovered cases need, in full-time officers in an average week ({group.names} rules)", backfill),
        ]
    return Section(
        "coverage",
        "3. Coverage and backfill",
        f"Case-days officers carried for colleagues on leave, case-days nobody carried, the hours both took, and the backfill staff they imply in an average week. {_span_words(figures)}"
        + _alike(figures, groups, "their case hours and weightings agree"),
        [
            Table(
                "Case-days covered and uncovered, the hours they took and the backfill staff they imply, by site",
                ("site", *_headers(groups, "case-days covered", "case-days uncovered", "hours absorbed or uncovered", "backfill FTE (average week)")),
                table,
                totals,
            )
        ],
        [chart],
        [_weekly_export(figures, "coverage", "--by site", f"--rules {rules.name}") for rules in figures.spec.rules],
        headlines,
    )


TOP_SITES = 8
"""A chart coloured by site shows the sites with the most and adds the rest up as "other sites"."""


def _gaps(group: list[Row]) -> tuple[Fraction, Fraction, int]:
    """Σ max(gap, 0), Σ max(−gap, 0) and the sites short: shortage and surplus, never netted."""
    gaps = [Fraction(round(row["gap_fte"] * 100), 100) for row in group]
    return sum((gap for gap in gaps if gap > 0), Fraction(0)), sum((-gap for gap in gaps if gap < 0), Fraction(0)), sum(1 for gap in gaps if gap > 0)


def staffing(figures: Figures) -> Section:
    groups = _ruled(figures, "staffing")
    first = figures.of("staffing")
    sites = {row["site"]: row for row in first}
    by_group = [_by(group.rows, "site") for group in groups]
    rows = [
        (
            site,
            choice_words(row["kind"]),
            row["cases"],
            row["officers_available_fte"],
            *(
                value
                for by_site in by_group
                for found in [by_site.get((site,), [])]
                for value in ((found[0]["required_fte"], found[0]["gap_fte"]) if found else (None, None))
            ),
        )
        for site, row in sorted(sites.items())
    ]
    cases, available = sum(r["cases"] for r in first), rounded(_sum(first, "officers_available_fte"), 2)
    totals = []
    headlines = []
    for group in groups:
        shortage, surplus, short = _gaps(group.rows)
        totals.append((group.names, cases, available, rounded(_sum(group.rows, "required_fte"), 2), rounded(shortage, 2), rounded(surplus, 2), short))
        headlines.append(
            Headline(
                f"Staffing shortage under the {group.names} ratios, in full-time officers: the officers missing at the {short} "
                f"site{'' if short == 1 else 's'} short of them (the {rounded(surplus, 2):g} FTE to spare at other sites is not netted against it)",
                rounded(shortage, 2),
            )
        )
    return Section(
        "staffing",
        "4. Staffing gap under each rule set",
        f"Officers needed at the end of the period ({figures.spec.last}) under each rule set's ratios, against those available; a positive gap is officers missing. "
        "Over all sites the officers missing at short sites and those to spare at others are shown side by side, never netted: a surplus at one site does not staff another."
        + _alike(figures, groups, "their ratios agree here"),
        [
            Table(
                "Officers needed and available at the end of the period, by site",
                ("site", "kind", "cases", "available FTE", *_headers(groups, "required FTE", "gap FTE")),
                rows,
            ),
            Table(
                "All sites: officers missing at short sites (shortage) and to spare at the others (surplus), under each rule set",
                ("rules", "cases (distinct offenders)", "available FTE", "required FTE", "shortage FTE", "surplus FTE", "sites short"),
                totals,
            ),
        ],
        [_staffing_chart(figures, groups)],
        [_export("staffing", f"--as-of {figures.spec.last}", f"--rules {rules.name}") for rules in figures.spec.rules],
        headlines,
    )


def _staffing_chart(figures: Figures, groups: list[Ruled]) -> Chart:
    """Each site's gap under each group of rule sets; beyond 16 sites, the shortage by kind of site
    (a sum of gaps over sites would net surpluses against shortages)."""
    names = " and ".join(group.names for group in groups)
    if len({row["site"] for row in figures.of("staffing")}) <= TOP_SITES * 2:
        bars = [{"site": row["site"], "rules": group.names, "gap FTE": row["gap_fte"]} for group in groups for row in group.rows]
        return charts.bars(
            "staffing",
            bars,
            x="site",
            y="gap FTE",
            colour="rules",
            x_title="site",
            y_title="gap (FTE)",
            stacked=False,
            title="Staffing gap by site under each rule set",
            description=f"Bars: each site's gap in full-time officers at {figures.spec.last} under the {names} rules; above zero is officers missing, "
            "below zero officers to spare. The tables below hold the figures.",
        )
    shortage: defaultdict[tuple[str, str], Fraction] = defaultdict(Fraction)
    for group in groups:
        for row in group.rows:
            shortage[(choice_words(row["kind"]), group.names)] += max(Fraction(round(row["gap_fte"] * 100), 100), Fraction(0))
    kinds = [{"kind": kind, "rules": name, "shortage FTE": float(value)} for (kind, name), value in sorted(shortage.items())]
    return charts.bars(
        "staffing",
        kinds,
        x="kind",
        y="shortage FTE",
        colour="rules",
        x_title="kind of site",
        y_title="shortage (FTE)",
        stacked=False,
        title="Staffing shortage by kind of site under each rule set",
        description=f"Bars: the officers missing at the short sites of each kind at {figures.spec.last} under the {names} rules (surpluses elsewhere not netted). "
        "The tables below hold each site's figures.",
    )


LEAD_BINS = ((0, 29), (30, 59), (60, 89), (90, 119), (120, 179), (180, None))


def _bin(days: int) -> str:
    for low, high in LEAD_BINS:
        if high is None or days <= high:
            return f"{low}+ days" if high is None else f"{low}–{high} days"
    return ""


def release_planning(figures: Figures) -> Section:
    rows = figures.of("release_lead_time")

    def planned(group: list[Row]) -> tuple[Any, ...]:
        short = sum(1 for r in group if r["short_lead"])
        return (
            len(group),
            _median(r["plan_lead_days"] for r in group),
            short,
            sum(1 for r in group if r["no_plan"]),
            _share(short, len(group)),
            _median(r["arrival_to_plan_days"] for r in group),
        )

    table = [(site, *planned(group)) for (site,), group in _by(rows, "site").items()]
    totals = planned(rows)
    counts = Counter("no plan" if r["no_plan"] else _bin(r["plan_lead_days"]) for r in rows)
    order = ["no plan", *(_bin(low) for low, _high in LEAD_BINS)]
    histogram = [{"lead": lead, "releases": counts[lead], "kind": "releases"} for lead in order]
    minimum = figures.spec.rules[0].minimum_plan_lead_days
    chart = charts.bars(
        "release-planning",
        histogram if rows else [],
        x="lead",
        y="releases",
        colour="kind",
        x_title="plan lead time",
        y_title="releases",
        domain=order,
        title="Releases by release-plan lead time",
        description=f"Bars: how many releases of the period had no plan, or a plan started {', '.join(order[1:])} before the decision. "
        "The table below holds the figures by site.",
    )
    return Section(
        "release-planning",
        "5. Release planning lead time",
        f"Releases decided (or made without a decision) in the period: the days between the plan's start and the decision, short leads (under {minimum} days, or no plan at all), and arrival-to-plan days for transferred offenders.",
        [
            Table(
                "Release-plan lead times, short leads and releases without a plan, by site",
                (
                    "site",
                    "releases",
                    "median lead (days)",
                    f"short lead (under {minimum} days) or no plan",
                    "no plan",
                    "share short or no plan",
                    "median arrival to plan (days)",
                ),
                table,
                [(ALL_SITES, *totals)],
            )
        ],
        [chart],
        [_export("release_lead_time", f"--as-of {figures.spec.last}")],
        [Headline(f"Share of releases with a short plan lead (under {minimum} days) or no plan: {totals[2]:,} of {totals[0]:,}", totals[4])],
    )


def siu_and_transfers(figures: Figures) -> Section:
    stays, requests = figures.of("siu_stays"), figures.of("transfers")
    stay_table = [
        (site, len(group), _median(r["dwell_days"] for r in group), max(r["dwell_days"] for r in group), sum(1 for r in group if r["ended_on"] is None))
        for (site,), group in _by(stays, "site").items()
    ]
    wait_table = [
        (
            "interregional" if interregional else "within a region",
            kind,
            len(group),
            sum(1 for r in group if r["status"] == "completed"),
            _median(r["wait_days"] for r in group),
        )
        for (interregional, kind), group in _by(requests, "interregional", "kind").items()
    ]
    dwell = [{"site": site, "median dwell (days)": median or 0.0, "measure": "SIU dwell"} for site, _n, median, *_rest in stay_table]
    waits = [{"kind": f"{place}: {kind}", "median wait (days)": median or 0.0, "measure": "transfer wait"} for place, kind, _n, _done, median in wait_table]
    return Section(
        "siu-transfers",
        "6. SIU dwell and transfer waits",
        "SIU stays that overlap the period (an open stay counts to the period's end) and transfers requested in it, interregional ones apart.",
        [
            Table("Structured Intervention Unit stays by site", ("site", "SIU stays", "median dwell (days)", "longest (days)", "still open"), stay_table),
            Table(
                "Transfer requests and their waits, within a region and interregional",
                ("where", "kind", "requests", "completed", "median wait (days)"),
                wait_table,
            ),
        ],
        [
            charts.bars(
                "siu-dwell",
                dwell,
                x="site",
                y="median dwell (days)",
                colour="measure",
                x_title="site",
                y_title="median SIU dwell (days)",
                title="Median SIU dwell by site",
                description="Bars: the median days of the SIU stays that overlap the period, at each site. The table below holds the figures.",
            ),
            charts.bars(
                "transfer-waits",
                waits,
                x="kind",
                y="median wait (days)",
                colour="measure",
                x_title="transfer",
                y_title="median wait (days)",
                title="Median transfer wait by kind, within a region and interregional",
                description="Bars: the median days from request to decision of the transfers requested in the period, by kind, "
                "within a region and interregional apart. The table below holds the figures.",
            ),
        ],
        [_export("siu_stays", f"--as-of {figures.spec.last}"), _export("transfers", f"--as-of {figures.spec.last}")],
    )


def _top_sites(rows: list[Row], measure: str) -> Callable[[str], str]:
    totals = Counter[str]()
    for row in rows:
        totals[row["site"]] += row[measure]
    shown = {site for site, _total in totals.most_common(TOP_SITES)}
    return lambda site: site if site in shown else "other sites"


MONTHS_A_TABLE = 13
"""The months one CCLO table shows (a year's period touches 13); a longer period gets a table a year."""


def cclo_contacts(figures: Figures) -> Section:
    rows = figures.of("cclo_contacts")
    months = figures.spec.months
    spans = [months] if len(months) <= MONTHS_A_TABLE else [months[start : start + 12] for start in range(0, len(months), 12)]
    per_site = _by(rows, "site")
    tables = []
    for number, shown in enumerate(spans, start=1):
        last = number == len(spans)

        def counts(group: list[Row], shown: list[str] = shown, last: bool = last) -> tuple[Any, ...]:
            contacts = Counter[str]()
            for row in group:
                contacts[row["month"]] += row["contacts"]
            return (*(contacts[month] for month in shown), *((contacts.total(), sum(r["minutes"] for r in group)) if last else ()))

        caption = f"Contacts with {CCLO}s by site and month, {shown[0]} to {shown[-1]}" + (", and the period's total contacts and minutes" if last else "")
        headers = ("site", *shown, *(("contacts", "minutes") if last else ()))
        tables.append(Table(caption, headers, [(site, *counts(group)) for (site,), group in per_site.items()], [(ALL_SITES, *counts(rows))] if rows else []))
    label = _top_sites(rows, "contacts")
    monthly = Counter[tuple[str, str]]()
    for row in rows:
        monthly[(row["month"], label(row["site"]))] += row["contacts"]
    series = sorted({site for _month, site in monthly})
    trend = [{"month": month, "site": site, "contacts": monthly[(month, site)]} for site in series for month in months]
    chart = charts.lines(
        "cclo-contacts",
        trend,
        x="month",
        y="contacts",
        colour="site",
        x_title="month",
        y_title="contacts",
        domain=months,
        title=f"Contacts with {CCLO}s per month, by site",
        description=f"Lines: the contacts with {CCLO}s in each month from {months[0]} to {months[-1]}, a line per site "
        f"(the {TOP_SITES} sites with most, the rest as other sites). The table below holds the figures by site and month.",
    )
    return Section(
        "cclo-contacts",
        f"7. Contacts with {CCLO}s (CCLOs)",
        f"Contacts with {CCLO}s — police officers who work with the Correctional Service's parole officers — per site and month, and their minutes: "
        f"every month the period touches, {months[0]} to {months[-1]}, each counted whole (zero where there were none).",
        tables,
        [chart],
        [_export("cclo_contacts", f"--as-of {figures.spec.last}")],
    )


DEADLINE_OUTCOMES = ("met", "late", "overdue")


def deadlines(figures: Figures) -> Section:
    rows = [row for row in figures.of("deadlines") if row["status"] in DEADLINE_OUTCOMES]

    def outcomes(group: list[Row]) -> tuple[int, ...]:
        return tuple(sum(1 for r in group if r["status"] == status) for status in DEADLINE_OUTCOMES)

    table = [(DEADLINE_WORDS.get(deadline, deadline), site, *outcomes(group)) for (deadline, site), group in _by(rows, "deadline", "site").items()]
    met, late, overdue = outcomes(rows)
    stacked = [
        {"deadline": DEADLINE_WORDS.get(deadline, deadline), "outcome": status, "instances": count}
        for (deadline,), group in _by(rows, "deadline").items()
        for status, count in zip(DEADLINE_OUTCOMES, outcomes(group), strict=True)
    ]
    chart = charts.bars(
        "deadlines",
        stacked,
        x="deadline",
        y="instances",
        colour="outcome",
        x_title="deadline",
        y_title="instances",
        title="Deadlines due in the period: met, late and overdue",
        description="Stacked bars: for each deadline, the instances due in the period that were met on time, completed late, or are still open past "
        "their due date. The table below holds the figures by deadline and site.",
    )
    return Section(
        "deadlines",
        "8. Deadlines met, late and overdue",
        f"Deadline instances due in the period, by deadline and site, as they stood at its end ({figures.spec.last}): met on time, completed late, or still open past the due date.",
        [
            Table(
                "Deadline instances due in the period by deadline and site",
                ("deadline", "site", *DEADLINE_OUTCOMES),
                table,
                [("all deadlines", ALL_SITES, met, late, overdue)],
            )
        ],
        [chart],
        [_export("deadlines", f"--as-of {figures.spec.last}")],
        [
            Headline(
                f"Deadlines missed — completed late ({late:,}) or still open past the due date ({overdue:,}) — of the {met + late + overdue:,} due in the period",
                late + overdue,
            )
        ],
    )


SECTIONS = (addon_burden, weekly_hours, coverage, staffing, release_planning, siu_and_transfers, cclo_contacts, deadlines)
"""The sections in the specification's order."""


def sections(figures: Figures) -> list[Section]:
    return [section(figures) for section in SECTIONS]
