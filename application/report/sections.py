"""The report's eight sections (the specification's "Report"): each a question, its tables, its
charts and the export commands that reproduce them.

Every table cell is a sum, a count or a median of one export's rows (:mod:`.figures`), grouped by
site (or deadline, kind, month), so an analyst re-adds an export and gets the same number; a test
does exactly that. Sections whose figures depend on ratios and case hours show a column per rule set.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from caseledger.application.report import charts
from caseledger.application.report.figures import Figures
from caseledger.application.text import DEADLINE_WORDS, choice_words
from caseledger.projections.replay.inputs import rounded

Row = dict[str, Any]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True)
class Section:
    key: str
    """An anchor and the charts' label (``data-chart``)."""
    title: str
    question: str
    tables: list[Table]
    charts: list[str]
    """Inline SVG."""
    sources: list[str] = field(default_factory=list)
    """The export commands whose rows the tables add up."""


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


def _weeks(figures: Figures) -> Fraction:
    """The weekly figures' span in weeks: whole ISO weeks from the Monday of the period's first
    week, to its last day (a partial last week counts its days, so an average week is fair)."""
    return Fraction(figures.spec.weekly_days, 7)


def _span_words(figures: Figures) -> str:
    spec = figures.spec
    days = spec.weekly_days
    return f"Counted in whole ISO weeks: the {days} day{'' if days == 1 else 's'} from Monday {spec.monday} (the week of {spec.first}) to {spec.last}."


def _export(figures: Figures, name: str, *options: str) -> str:
    return " ".join(["caseledger export", name, *options])


def addon_burden(figures: Figures) -> Section:
    rows = figures.of("addon_burden by site")
    weeks = figures.spec.weeks
    week_hours = figures.spec.rules[0].weekly_hours
    span = _weeks(figures)
    categories = sorted({row["category"] for row in rows})
    table = []
    for (site,), group in _by(rows, "site").items():
        minutes = Counter[str]()
        for row in group:
            minutes[row["category"]] += row["minutes"]
        total = Fraction(minutes.total(), 60)
        table.append(
            (site, *(rounded(Fraction(minutes[category], 60), 1) for category in categories), rounded(total, 1), rounded(total / week_hours / span, 2))
        )
    trend = [
        {"week": week, "category": choice_words(category), "hours": float(Fraction(sum(r["minutes"] for r in group), 60))}
        for (week, category), group in _by(rows, "week", "category").items()
    ]
    return Section(
        "addon-burden",
        "1. Add-on burden",
        f"Hours officers spent on add-on tasks, by site and category, and the full-time officers those hours equal in an average week. {_span_words(figures)}",
        [Table(("site", *(f"{choice_words(category)} (hours)" for category in categories), "all add-ons (hours)", "FTE (average week)"), table)],
        [charts.bars("addon-burden", trend, x="week", y="hours", colour="category", x_title="ISO week", y_title="add-on hours")],
        [_export(figures, "addon_burden", "--by site", f"--from {weeks.first}", f"--to {weeks.last}", f"--as-of {figures.spec.last}")],
    )


def _ruled(figures: Figures, name: str, cell: Callable[[list[Row]], tuple[Any, ...]], *keys: str) -> list[tuple[Any, ...]]:
    """One row per group of ``keys``, with ``cell``'s values under each rule set side by side."""
    under = [_by(figures.of(name, rules), *keys) for rules in figures.spec.rules]
    groups = sorted({group for by_group in under for group in by_group}, key=lambda group: tuple(str(value) for value in group))
    return [(*group, *(value for by_group in under for value in cell(by_group.get(group, [])))) for group in groups]


def _ruled_headers(figures: Figures, *names: str) -> tuple[str, ...]:
    return tuple(f"{name} ({rules.name})" for rules in figures.spec.rules for name in names)


def _alike(figures: Figures, name: str) -> str:
    """A sentence when the rule sets give the same rows (the lines of the chart lie on each other)."""
    if len(figures.spec.rules) > 1 and all(figures.of(name, rules) == figures.of(name) for rules in figures.spec.rules[1:]):
        return f" The {' and '.join(rules.name for rules in figures.spec.rules)} rules give the same figures here (their case hours and weightings agree)."
    return ""


def _weekly_trend(figures: Figures, name: str, column: str, label: str) -> list[Row]:
    """Σ ``column`` of export ``name`` per week, under each rule set (a line each)."""
    return [
        {"week": week, "rules": rules.name, label: float(_sum(group, column))}
        for rules in figures.spec.rules
        for (week,), group in _by(figures.of(name, rules), "week").items()
    ]


def weekly_hours(figures: Figures) -> Section:
    weeks = figures.spec.weeks

    def over(group: list[Row]) -> tuple[Any, ...]:
        return (len(group), sum(1 for r in group if r["overtime_hours"] > 0), rounded(_sum(group, "overtime_hours"), 2))

    table = _ruled(figures, "weekly_hours", over, "site")
    trend = _weekly_trend(figures, "weekly_hours", "overtime_hours", "hours over")
    return Section(
        "weekly-hours",
        "2. Hours against the 37.5-hour week",
        "Officer-weeks whose estimated hours (case hours of the cases carried at the week's end, plus that week's add-ons) exceed the officer's week, and the total hours over: the overtime the seeds say should be paid. "
        + _span_words(figures)
        + _alike(figures, "weekly_hours"),
        [Table(("site", *_ruled_headers(figures, "officer-weeks", "weeks over", "hours over")), table)],
        [charts.lines("weekly-hours", trend, x="week", y="hours over", colour="rules", x_title="ISO week", y_title="hours over the week")],
        [
            _export(figures, "weekly_hours", f"--from {weeks.first}", f"--to {weeks.last}", f"--as-of {figures.spec.last}", f"--rules {rules.name}")
            for rules in figures.spec.rules
        ],
    )


def coverage(figures: Figures) -> Section:
    weeks = figures.spec.weeks
    span = _weeks(figures)

    def covered(group: list[Row]) -> tuple[Any, ...]:
        return (
            sum(r["covered_case_days"] for r in group),
            sum(r["uncovered_case_days"] for r in group),
            rounded(_sum(group, "covered_hours") + _sum(group, "uncovered_hours"), 2),
            rounded(_sum(group, "backfill_fte") / span, 2),
        )

    table = _ruled(figures, "coverage by site", covered, "site")
    trend = _weekly_trend(figures, "coverage by site", "backfill_fte", "backfill FTE")
    return Section(
        "coverage",
        "3. Coverage and backfill",
        f"Case-days officers carried for colleagues on leave, case-days nobody carried, the hours both took, and the backfill staff they imply in an average week. {_span_words(figures)}"
        + _alike(figures, "coverage by site"),
        [
            Table(
                ("site", *_ruled_headers(figures, "case-days covered", "case-days uncovered", "hours absorbed or uncovered", "backfill FTE (average week)")),
                table,
            )
        ],
        [charts.lines("coverage", trend, x="week", y="backfill FTE", colour="rules", x_title="ISO week", y_title="backfill FTE (all sites)")],
        [
            _export(figures, "coverage", "--by site", f"--from {weeks.first}", f"--to {weeks.last}", f"--as-of {figures.spec.last}", f"--rules {rules.name}")
            for rules in figures.spec.rules
        ],
    )


def staffing(figures: Figures) -> Section:
    first = figures.of("staffing")
    sites = {row["site"]: row for row in first}
    table = _ruled(figures, "staffing", lambda group: (group[0]["required_fte"], group[0]["gap_fte"]) if group else (None, None), "site")
    rows = [
        (site, choice_words(sites[site]["kind"]), sites[site]["cases"], sites[site]["officers_available_fte"], *rest) for site, *rest in table if site in sites
    ]
    totals: tuple[Any, ...] = ("all sites", "", sum(r["cases"] for r in first), rounded(_sum(first, "officers_available_fte"), 2))
    totals += tuple(
        value
        for rules in figures.spec.rules
        for value in (rounded(_sum(figures.of("staffing", rules), "required_fte"), 2), rounded(_sum(figures.of("staffing", rules), "gap_fte"), 2))
    )
    per_site = len(sites) <= TOP_SITES * 2  # beyond that, bars by kind of site stay readable
    gap: defaultdict[tuple[str, str], Fraction] = defaultdict(Fraction)
    for rules in figures.spec.rules:
        for row in figures.of("staffing", rules):
            gap[(row["site"] if per_site else choice_words(row["kind"]), rules.name)] += Fraction(str(row["gap_fte"]))
    gaps = [{"site": where, "rules": name, "gap FTE": float(value)} for (where, name), value in gap.items()]
    return Section(
        "staffing",
        "4. Staffing gap under each rule set",
        f"Officers needed at the end of the period ({figures.spec.last}) under each rule set's ratios, against those available; a positive gap is officers missing.",
        [Table(("site", "kind", "cases", "available FTE", *_ruled_headers(figures, "required FTE", "gap FTE")), [*rows, totals])],
        [
            charts.bars(
                "staffing", gaps, x="site", y="gap FTE", colour="rules", x_title="site" if per_site else "kind of site", y_title="gap (FTE)", stacked=False
            )
        ],
        [_export(figures, "staffing", f"--as-of {figures.spec.last}", f"--rules {rules.name}") for rules in figures.spec.rules],
    )


LEAD_BINS = ((0, 29), (30, 59), (60, 89), (90, 119), (120, 179), (180, None))


def _bin(days: int) -> str:
    for low, high in LEAD_BINS:
        if high is None or days <= high:
            return f"{low}+ days" if high is None else f"{low}–{high} days"
    return ""


def release_planning(figures: Figures) -> Section:
    rows = figures.of("release_lead_time")
    table = [
        (
            site,
            len(group),
            _median(r["plan_lead_days"] for r in group),
            sum(1 for r in group if r["short_lead"]),
            sum(1 for r in group if r["no_plan"]),
            _median(r["arrival_to_plan_days"] for r in group),
        )
        for (site,), group in _by(rows, "site").items()
    ]
    counts = Counter("no plan" if r["no_plan"] else _bin(r["plan_lead_days"]) for r in rows)
    order = ["no plan", *(_bin(low) for low, _high in LEAD_BINS)]
    histogram = [{"lead": lead, "releases": counts[lead], "kind": "releases"} for lead in order]
    return Section(
        "release-planning",
        "5. Release planning lead time",
        f"Releases decided (or made without a decision) in the period: the days between the plan's start and the decision, short leads (under {figures.spec.rules[0].minimum_plan_lead_days} days or no plan), and arrival-to-plan days for transferred offenders.",
        [Table(("site", "releases", "median lead (days)", "short leads", "no plan", "median arrival to plan (days)"), table)],
        [charts.bars("release-planning", histogram if rows else [], x="lead", y="releases", colour="kind", x_title="plan lead time", y_title="releases")],
        [_export(figures, "release_lead_time", f"--as-of {figures.spec.last}")],
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
            Table(("site", "SIU stays", "median dwell (days)", "longest (days)", "still open"), stay_table),
            Table(("where", "kind", "requests", "completed", "median wait (days)"), wait_table),
        ],
        [
            charts.bars("siu-dwell", dwell, x="site", y="median dwell (days)", colour="measure", x_title="site", y_title="median SIU dwell (days)"),
            charts.bars("transfer-waits", waits, x="kind", y="median wait (days)", colour="measure", x_title="transfer", y_title="median wait (days)"),
        ],
        [_export(figures, "siu_stays", f"--as-of {figures.spec.last}"), _export(figures, "transfers", f"--as-of {figures.spec.last}")],
    )


TOP_SITES = 8
"""A chart coloured by site shows the sites with the most and adds the rest up as "other sites"."""


def _top_sites(rows: list[Row], measure: str) -> Callable[[str], str]:
    totals = Counter[str]()
    for row in rows:
        totals[row["site"]] += row[measure]
    shown = {site for site, _total in totals.most_common(TOP_SITES)}
    return lambda site: site if site in shown else "other sites"


def cclo_contacts(figures: Figures) -> Section:
    rows = figures.of("cclo_contacts")
    months = sorted({row["month"] for row in rows})
    table = []
    for (site,), group in _by(rows, "site").items():
        contacts = {row["month"]: row["contacts"] for row in group}
        table.append((site, *(contacts.get(month, 0) for month in months), sum(contacts.values()), sum(r["minutes"] for r in group)))
    label = _top_sites(rows, "contacts")
    monthly = Counter[tuple[str, str]]()
    for row in rows:
        monthly[(row["month"], label(row["site"]))] += row["contacts"]
    trend = [{"month": month, "site": site, "contacts": contacts} for (month, site), contacts in sorted(monthly.items())]
    return Section(
        "cclo-contacts",
        "7. Contacts with community-corrections liaison officers",
        f"Contacts with police liaison officers per site and month, and their minutes: the whole months from {figures.spec.first:%Y-%m} to {figures.spec.last:%Y-%m}.",
        [Table(("site", *months, "contacts", "minutes"), table)],
        [charts.lines("cclo-contacts", trend, x="month", y="contacts", colour="site", x_title="month", y_title="contacts")],
        [_export(figures, "cclo_contacts", f"--as-of {figures.spec.last}")],
    )


DEADLINE_OUTCOMES = ("met", "late", "overdue")


def deadlines(figures: Figures) -> Section:
    rows = [row for row in figures.of("deadlines") if row["status"] in DEADLINE_OUTCOMES]
    table = [
        (DEADLINE_WORDS.get(deadline, deadline), site, *(sum(1 for r in group if r["status"] == status) for status in DEADLINE_OUTCOMES))
        for (deadline, site), group in _by(rows, "deadline", "site").items()
    ]
    stacked = [
        {"deadline": DEADLINE_WORDS.get(deadline, deadline), "outcome": status, "instances": sum(1 for r in group if r["status"] == status)}
        for (deadline,), group in _by(rows, "deadline").items()
        for status in DEADLINE_OUTCOMES
    ]
    return Section(
        "deadlines",
        "8. Deadlines met, late and overdue",
        f"Deadline instances due in the period, by deadline and site, as they stood at its end ({figures.spec.last}): met on time, completed late, or still open past the due date.",
        [Table(("deadline", "site", *DEADLINE_OUTCOMES), table)],
        [charts.bars("deadlines", stacked, x="deadline", y="instances", colour="outcome", x_title="deadline", y_title="instances")],
        [_export(figures, "deadlines", f"--as-of {figures.spec.last}")],
    )


SECTIONS = (addon_burden, weekly_hours, coverage, staffing, release_planning, siu_and_transfers, cclo_contacts, deadlines)
"""The sections in the specification's order."""


def sections(figures: Figures) -> list[Section]:
    return [section(figures) for section in SECTIONS]
