"""``caseledger report`` as an analyst meets it: the demo's report, written by the command line,
opened in headless Chromium (Debian's ``chromium``, driven by Playwright) — every section's chart
drawn, a screenshot that is not blank, an axe-core accessibility audit with no violation — and
every table re-added from the export its section names, written by the command line and read with
``csv.DictReader``: the rows, the "all sites" totals, and the summary that quotes those totals. No
offender id appears in it. Its PDF shows every table whole on A4 pages (``pdftotext``) and is tagged.

The period ends two months before the demo's last event, so "as of the end of the period" matters
(an export without ``--as-of`` would hold later rows).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import re
import shlex
import shutil
import statistics
import subprocess
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest
from PIL import Image
from playwright.sync_api import Browser, Playwright, sync_playwright
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject

from caseledger.application.imports import import_lines
from caseledger.application.report import ReportSpec, write_report
from caseledger.application.text import DEADLINE_WORDS, choice_words
from caseledger.domain.model.times import iso_week
from caseledger.domain.store.application import open_application
from caseledger.fixtures.generate import generate
from caseledger.projections.engine.projector import Projector
from tests.support.cli import run_cli
from tests.support.generated import GENERATED_UNTIL
from tests.support.report_tables import chart_axis, report_tables, report_texts

pytestmark = pytest.mark.slow

CHARTS = ("addon-burden", "weekly-hours", "coverage", "staffing", "release-planning", "siu-dwell", "transfer-waits", "cclo-contacts", "deadlines")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).parents[1] / "browser" / "node_modules" / "axe-core" / "axe.min.js"
"""axe-core, pinned in tests/browser/package.json and installed there by scripts/test.sh (npm ci)."""
TITLES = {
    "addon-burden": "1. Add-on burden",
    "weekly-hours": "2. Hours against the 37.5-hour week",
    "coverage": "3. Coverage and backfill",
    "staffing": "4. Staffing gap under each rule set",
    "release-planning": "5. Release planning lead time",
    "siu-transfers": "6. SIU dwell and transfer waits",
    "cclo-contacts": "7. Contacts with Community Corrections Liaison Officers (CCLOs)",
    "deadlines": "8. Deadlines met, late and overdue",
}

Rows = list[dict[str, str]]


class Demo:
    """The demo store, the report of a period of it, and the exports its sections name."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.url = f"sqlite:///{folder}/demo.db"
        seeded = run_cli(self.url, "demo", "--no-tui", login="clerk")
        assert seeded.returncode == 0, seeded.stderr
        events = [json.loads(line) for line in run_cli(self.url, "events", login="clerk").stdout.splitlines()]
        recorded, occurred = (sorted(line[time][:10] for line in events) for time in ("recorded_at", "occurred_at"))
        self.offenders = {line["offender"] for line in events if "offender" in line}
        self.zones = {line["timezone"] for line in events if line["type"] == "SiteRegistered"}
        self.first = dt.date.fromisoformat(recorded[0]) + dt.timedelta(
            days=31
        )  # a month into the ledger's own year (the standing population's admissions are older)
        self.last = dt.date.fromisoformat(occurred[-1]) - dt.timedelta(days=60)
        monday = self.first - dt.timedelta(days=self.first.weekday())
        self.week_labels = [iso_week(monday + dt.timedelta(days=7 * step)) for step in range((self.last - monday).days // 7 + 1)]
        """Every ISO week of the period, Monday of --from's week to --to."""
        self.weeks = (self.week_labels[0], self.week_labels[-1])
        self.span = Fraction((self.last - monday).days + 1, 7)
        """Weeks of the weekly figures: whole ISO weeks from the Monday of --from to --to, in days / 7."""
        days_of_period = (self.first + dt.timedelta(days=step) for step in range((self.last - self.first).days + 1))
        self.months = sorted({f"{day:%Y-%m}" for day in days_of_period})
        self.report = folder / "report.html"
        written = run_cli(self.url, "report", "--from", str(self.first), "--to", str(self.last), "--output", str(self.report), login="clerk")
        assert written.returncode == 0, written.stderr
        self.markup = self.report.read_text(encoding="utf-8")
        self.tables = report_tables(self.markup)
        self.exports: dict[tuple[str, ...], Rows] = {}

    @cached_property
    def pdf(self) -> Path:
        pdf = self.folder / "report.pdf"
        written = run_cli(self.url, "report", "--from", str(self.first), "--to", str(self.last), "--output", str(pdf), login="clerk")
        assert written.returncode == 0, written.stderr
        return pdf

    def export(self, name: str, *options: str) -> Rows:
        """The export's rows as a CSV reader reads them, as of the period's end."""
        key = (name, *options)
        if key not in self.exports:
            path = self.folder / f"{name}-{'-'.join(option.strip('-') for option in options)}.csv"
            done = run_cli(self.url, "export", name, "--as-of", str(self.last), *options, "--output", str(path), login="clerk")
            assert done.returncode == 0, done.stderr
            with path.open(newline="", encoding="utf-8") as handle:
                self.exports[key] = list(csv.DictReader(handle))
        return self.exports[key]

    def weekly(self, name: str, *options: str) -> Rows:
        return self.export(name, *options, "--from", self.weeks[0], "--to", self.weeks[1])

    def ruled(self, name: str, *options: str, weekly: bool = True) -> list[tuple[str, Rows]]:
        """The export under the current and the proposed rules: one group when they give the same rows."""
        fetch = self.weekly if weekly else self.export
        current, proposed = fetch(name, *options, "--rules", "current"), fetch(name, *options, "--rules", "proposed")
        return [("current and proposed", current)] if current == proposed else [("current", current), ("proposed", proposed)]

    def rows(self, section: str, table: int = 0) -> list[list[object]]:
        """A section's table without its header row."""
        return self.tables[section][table][1:]

    def section(self, key: str) -> str:
        """A section's markup."""
        return self.markup.split(f'<section id="{key}"', 1)[1].split("</section>", 1)[0]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    return Demo(tmp_path_factory.mktemp("report"))


def exact(text: str) -> Fraction:
    return Fraction(text) if text else Fraction(0)


def two(value: Fraction, places: int = 2) -> float:
    """Round half to even at ``places``, exactly (what the report promises)."""
    return float(round(value, places))


def total(rows: Rows, column: str) -> Fraction:
    return sum((exact(row[column]) for row in rows), Fraction(0))


def share(count: int, of: int) -> str:
    """A percentage to one decimal, round-half-even on the exact ratio."""
    return f"{float(round(Fraction(100 * count, of), 1)):.1f}%"


def by(rows: Rows, *keys: str) -> Iterator[tuple[tuple[str, ...], Rows]]:
    groups: defaultdict[tuple[str, ...], Rows] = defaultdict(list)
    for row in rows:
        groups[tuple(row[key] for key in keys)].append(row)
    return iter(sorted(groups.items()))


def median(values: list[str]) -> float | None:
    present = [int(value) for value in values if value != ""]
    return float(statistics.median(present)) if present else None


def side_by_side(groups: list[tuple[str, Rows]], columns: tuple[str, ...], cells: Callable[[Rows], list[object]]) -> list[list[object]]:
    """A by-site table with each group's ``cells`` side by side, then the "all sites" row."""
    sites = sorted({row["site"] for _names, rows in groups for row in rows})
    return [
        ["site", *(f"{column} ({names})" for names, _rows in groups for column in columns)],
        *([site, *(value for _names, rows in groups for value in cells([row for row in rows if row["site"] == site]))] for site in sites),
        ["all sites", *(value for _names, rows in groups for value in cells(rows))],
    ]


def chromium(playwright: Playwright) -> Browser:
    path = shutil.which("chromium")
    assert path, "Debian's chromium is not installed: scripts/system.sh installs it"
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)


@pytest.mark.slow
def test_the_report_in_a_browser_shows_every_chart_and_no_offender(demo: Demo, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    with sync_playwright() as playwright:
        browser = chromium(playwright)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto(demo.report.as_uri())
        drawn = {}
        for key in CHARTS:
            chart = page.locator(f"svg[data-chart='{key}']")
            assert chart.count() == 1, key
            box = chart.bounding_box()
            drawn[key] = box is not None and box["width"] > 300 and box["height"] > 150 and chart.is_visible()
        marks = page.evaluate(
            "[...document.querySelectorAll('svg[data-chart]')].map(svg => [svg.dataset.chart, svg.querySelectorAll('path, rect, line').length])"
        )
        titles = page.locator("h2").all_inner_texts()
        contents = page.locator("nav a").all_inner_texts()
        text = page.locator("body").inner_text()
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert drawn == dict.fromkeys(CHARTS, True)
    assert all(count > 10 for _key, count in marks), marks  # axes, bars, lines: drawn, not an empty frame
    assert titles == ["Contents", "Summary", *TITLES.values(), "Provenance"]
    assert contents == titles[1:]
    image = Image.open(shot).convert("RGB")
    assert image.height > 3000
    colours = image.getcolors(maxcolors=1 << 20) or []
    not_white = sum(count for count, colour in colours if colour != (255, 255, 255))
    assert len(colours) > 50 and not_white > image.width * image.height * 0.03
    assert demo.offenders and not [offender for offender in demo.offenders if offender in demo.markup or offender in text]


@pytest.mark.slow
def test_an_accessibility_audit_of_the_report_finds_no_violation(demo: Demo) -> None:
    """axe-core (the engine behind most accessibility checkers), injected into the page in Chromium:
    landmarks, names of images, table headers, headings, contrast, links — every rule it runs."""
    assert AXE.is_file(), f"{AXE} is missing: scripts/test.sh installs it (npm ci in tests/browser)"
    with sync_playwright() as playwright:
        browser = chromium(playwright)
        page = browser.new_page()
        page.goto(demo.report.as_uri())
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        landmarks = page.evaluate("['header', 'nav', 'main', 'footer'].map(tag => document.querySelectorAll(tag).length)")
        named = page.evaluate(
            "[...document.querySelectorAll('svg[data-chart]')].map(svg => [svg.getAttribute('role'),"
            " document.getElementById(svg.getAttribute('aria-labelledby')).textContent,"
            " svg.closest('figure').querySelector('figcaption').textContent])"
        )
        browser.close()
    violations = [(rule["id"], rule["impact"], rule["help"], [node["target"] for node in rule["nodes"]][:5]) for rule in result["violations"]]
    assert violations == [], "\n".join(map(str, violations))
    assert result["passes"], "axe ran no rule"
    assert landmarks == [1, 1, 1, 1]
    assert len(named) == len(CHARTS) and all(role == "img" and title and caption == f"{title}." for role, title, caption in named)


@pytest.mark.slow
def test_the_add_on_table_adds_up_the_add_on_export(demo: Demo) -> None:
    rows = demo.weekly("addon_burden", "--by", "site")
    categories = sorted({row["category"] for row in rows})

    def hours(group: Rows) -> list[object]:
        minutes = Counter[str]()
        for row in group:
            minutes[row["category"]] += int(row["minutes"])
        spent = Fraction(minutes.total(), 60)
        return [*(two(Fraction(minutes[c], 60), 1) for c in categories), two(spent, 1), two(spent / Fraction(75, 2) / demo.span)]

    assert demo.tables["addon-burden"][0] == [
        ["site", *(f"{choice_words(c)} (hours)" for c in categories), "all add-ons (hours)", "FTE (average week)"],
        *([site, *hours(group)] for (site,), group in by(rows, "site")),
        ["all sites", *hours(rows)],
    ]


def test_the_hours_and_coverage_tables_add_up_their_exports_in_one_column_where_the_rules_agree(demo: Demo) -> None:
    def over(group: Rows) -> list[object]:
        hours = [exact(row["overtime_hours"]) for row in group]
        return [float(len(group)), float(sum(1 for value in hours if value > 0)), two(sum(hours, Fraction(0)))]

    def covered(group: Rows) -> list[object]:
        return [
            float(sum(int(row["covered_case_days"]) for row in group)),
            float(sum(int(row["uncovered_case_days"]) for row in group)),
            two(total(group, "covered_hours") + total(group, "uncovered_hours")),
            two(total(group, "backfill_fte") / demo.span),
        ]

    hours, cover = demo.ruled("weekly_hours"), demo.ruled("coverage", "--by", "site")
    assert demo.tables["weekly-hours"][0] == side_by_side(hours, ("officer-weeks", "weeks over", "hours over"), over)
    assert demo.tables["coverage"][0] == side_by_side(
        cover, ("case-days covered", "case-days uncovered", "hours absorbed or uncovered", "backfill FTE (average week)"), covered
    )
    assert any(row[1] for row in demo.rows("coverage")), "the demo has colleagues covering"
    for key, groups in (("weekly-hours", hours), ("coverage", cover)):
        says = "The current and proposed rules give the same figures here" in demo.section(key)
        lines = re.findall(r'class="mark-text role-legend-label"[^>]*><text[^>]*>([^<]*)</text>', demo.section(key))
        assert (says, lines) == (len(groups) == 1, [names for names, _rows in groups])


@pytest.mark.slow
def test_the_staffing_totals_set_shortage_beside_surplus_never_a_net(demo: Demo) -> None:
    """9.65 FTE missing at four sites is not 4.58 once three sites' spare officers are subtracted:
    the totals add the positive gaps (shortage) and the negative ones (surplus) apart."""
    groups = demo.ruled("staffing", weekly=False)
    current = {row["site"]: row for row in demo.export("staffing", "--rules", "current")}
    under = [{row["site"]: row for row in rows} for _names, rows in groups]
    assert demo.tables["staffing"][0] == [
        ["site", "kind", "cases", "available FTE", *(f"{column} ({names})" for names, _rows in groups for column in ("required FTE", "gap FTE"))],
        *(
            [site, choice_words(row["kind"]), float(row["cases"]), float(row["officers_available_fte"])]
            + [float(value) for rows in under for value in (rows[site]["required_fte"], rows[site]["gap_fte"])]
            for site, row in sorted(current.items())
        ),
    ]
    expected = []
    for names, rows in groups:
        gaps = [exact(row["gap_fte"]) for row in rows]
        shortage, surplus = sum((gap for gap in gaps if gap > 0), Fraction(0)), sum((-gap for gap in gaps if gap < 0), Fraction(0))
        expected.append(
            [
                names,
                float(sum(int(row["cases"]) for row in rows)),
                two(total(rows, "officers_available_fte")),
                two(total(rows, "required_fte")),
                two(shortage),
                two(surplus),
                float(sum(1 for gap in gaps if gap > 0)),
            ]
        )
    assert demo.tables["staffing"][1][1:] == expected
    assert demo.tables["staffing"][1][0][4:6] == ["shortage FTE", "surplus FTE"]
    assert any(row[5] for row in expected), "the demo has a site with officers to spare, so a net would differ"


@pytest.mark.slow
def test_the_release_siu_transfer_contact_and_deadline_tables_add_up_their_exports(demo: Demo) -> None:
    first, last = str(demo.first), str(demo.last)
    releases = [row for row in demo.export("release_lead_time") if first <= (row["decision_on"] or row["released_on"]) <= last]

    def planned(group: Rows) -> list[object]:
        short = sum(row["short_lead"] == "true" for row in group)
        return [
            float(len(group)),
            median([row["plan_lead_days"] for row in group]),
            float(short),
            float(sum(row["no_plan"] == "true" for row in group)),
            share(short, len(group)),
            median([row["arrival_to_plan_days"] for row in group]),
        ]

    assert demo.rows("release-planning") == [*([site, *planned(group)] for (site,), group in by(releases, "site")), ["all sites", *planned(releases)]]
    stays = [row for row in demo.export("siu_stays") if row["started_on"] <= last and (not row["ended_on"] or row["ended_on"] >= first)]
    assert demo.rows("siu-transfers", 0) == [
        [
            site,
            float(len(group)),
            median([row["dwell_days"] for row in group]),
            float(max(int(row["dwell_days"]) for row in group)),
            float(sum(not row["ended_on"] for row in group)),
        ]
        for (site,), group in by(stays, "site")
    ]
    requests = [row for row in demo.export("transfers") if first <= row["requested_on"] <= last]
    assert demo.rows("siu-transfers", 1) == [
        [
            "interregional" if interregional == "true" else "within a region",
            choice_words(kind),
            float(len(group)),
            float(sum(row["status"] == "completed" for row in group)),
            median([row["wait_days"] for row in group]),
        ]
        for (interregional, kind), group in by(requests, "interregional", "kind")
    ]
    due = [row for row in demo.export("deadlines") if first <= row["due_on"] <= last and row["status"] in ("met", "late", "overdue")]

    def outcomes(group: Rows) -> list[object]:
        return [float(sum(row["status"] == status for row in group)) for status in ("met", "late", "overdue")]

    assert demo.rows("deadlines") == [
        *([DEADLINE_WORDS.get(deadline, deadline), site, *outcomes(group)] for (deadline, site), group in by(due, "deadline", "site")),
        ["all deadlines", "all sites", *outcomes(due)],
    ]
    assert releases and stays and requests and due


@pytest.mark.slow
def test_the_cclo_table_shows_every_month_of_the_period_and_one_expansion_of_cclo(demo: Demo) -> None:
    """The months the period touches, each whole — a month without contacts is a column of zeros —
    and "CCLO" spelt out one way, the union's: Community Corrections Liaison Officer."""
    contacts = [row for row in demo.export("cclo_contacts") if demo.months[0] <= row["month"] <= demo.months[-1]]

    def counts(group: Rows) -> list[object]:
        return [
            *(float(sum(int(r["contacts"]) for r in group if r["month"] == month)) for month in demo.months),
            float(sum(int(r["contacts"]) for r in group)),
            float(sum(int(r["minutes"]) for r in group)),
        ]

    assert len(demo.months) <= 13  # a year's period: one table
    assert demo.tables["cclo-contacts"] == [
        [["site", *demo.months, "contacts", "minutes"], *([site, *counts(group)] for (site,), group in by(contacts, "site")), ["all sites", *counts(contacts)]]
    ]
    assert contacts and {row["month"] for row in contacts} < set(demo.months), "the demo has months without contacts"
    assert chart_axis(demo.section("cclo-contacts")) == (len(demo.months), demo.months[0], demo.months[-1])
    text = html.unescape(re.sub(r"<[^>]+>", " ", demo.markup))
    spelt = set(re.findall(r"[\w-]+ [\w-]+ liaison officer", text, flags=re.IGNORECASE))
    assert spelt == {"Community Corrections Liaison Officer"}, spelt


@pytest.mark.slow
def test_the_summary_quotes_each_sections_totals_and_links_to_the_section(demo: Demo) -> None:
    """Each figure of the summary is computed here from the exports, apart from the section tables'
    check, and equals the total its section shows."""
    summary = demo.rows("summary")
    addon = demo.weekly("addon_burden", "--by", "site")
    spent = Fraction(sum(int(row["minutes"]) for row in addon), 60)
    expected: list[tuple[str, object]] = [("addon-burden", two(spent, 1)), ("addon-burden", two(spent / Fraction(75, 2) / demo.span))]
    for _names, rows in demo.ruled("weekly_hours"):
        expected += [("weekly-hours", float(sum(exact(row["overtime_hours"]) > 0 for row in rows))), ("weekly-hours", two(total(rows, "overtime_hours")))]
    for _names, rows in demo.ruled("coverage", "--by", "site"):
        expected += [("coverage", float(sum(int(row["uncovered_case_days"]) for row in rows))), ("coverage", two(total(rows, "backfill_fte") / demo.span))]
    for _names, rows in demo.ruled("staffing", weekly=False):
        expected.append(("staffing", two(sum((max(exact(row["gap_fte"]), Fraction(0)) for row in rows), Fraction(0)))))
    first, last = str(demo.first), str(demo.last)
    releases = [row for row in demo.export("release_lead_time") if first <= (row["decision_on"] or row["released_on"]) <= last]
    short = sum(row["short_lead"] == "true" for row in releases)
    expected.append(("release-planning", share(short, len(releases))))
    due = [row for row in demo.export("deadlines") if first <= row["due_on"] <= last and row["status"] in ("met", "late", "overdue")]
    missed = sum(row["status"] in ("late", "overdue") for row in due)
    expected.append(("deadlines", float(missed)))
    assert [(row[2], row[1]) for row in summary] == [(TITLES[key], figure) for key, figure in expected]
    links = re.findall(r'<a href="#([^"]+)">([^<]*)</a>', demo.section("summary"))
    assert links == [(key, TITLES[key]) for key, _figure in expected]
    assert all(f'<section id="{key}"' in demo.markup for key, _title in links)

    def totals(key: str, table: int = 0) -> list[object]:
        return demo.rows(key, table)[-1]

    hours, cover = len(demo.ruled("weekly_hours")), len(demo.ruled("coverage", "--by", "site"))
    quoted = [row[1] for row in summary]
    assert quoted[:2] == totals("addon-burden")[-2:]
    assert quoted[2 : 2 + 2 * hours] == [value for group in range(hours) for value in totals("weekly-hours")[2 + 3 * group : 4 + 3 * group]]
    covered = quoted[2 + 2 * hours : 2 + 2 * hours + 2 * cover]
    assert covered == [value for group in range(cover) for value in totals("coverage")[2 + 4 * group : 5 + 4 * group : 2]]
    assert quoted[-2 - len(demo.tables["staffing"][1][1:]) : -2] == [row[4] for row in demo.rows("staffing", 1)]
    assert quoted[-2] == totals("release-planning")[5] and f"{short:,} of {len(releases):,}" in str(summary[-2][0])
    assert quoted[-1] == figure(totals("deadlines")[3]) + figure(totals("deadlines")[4]) and f"of the {len(due):,} due" in str(summary[-1][0])


@pytest.mark.slow
def test_each_weekly_chart_spans_the_weeks_its_reproduce_command_writes(demo: Demo) -> None:
    """The x-axis of each weekly chart runs over the period's ISO weeks, exactly the --from and --to
    of the command printed under it; the command, run, writes the rows the section's table adds up."""
    for key, export in (("addon-burden", ("addon_burden", "--by", "site")), ("weekly-hours", ("weekly_hours",)), ("coverage", ("coverage", "--by", "site"))):
        section = demo.section(key)
        assert chart_axis(section) == (len(demo.week_labels), *demo.weeks), key
        commands = [shlex.split(html.unescape(command)) for command in re.findall(r"<code>(caseledger export [^<]*)</code>", section)]
        assert commands, key
        for command in commands:
            assert (command[command.index("--from") + 1], command[command.index("--to") + 1]) == demo.weeks, command
            assert command[command.index("--as-of") + 1] == str(demo.last)
            rules = command[command.index("--rules") + 1] if "--rules" in command else "current"
            path = demo.folder / f"reproduce-{key}-{rules}.csv"
            done = run_cli(demo.url, *command[1:], "--output", str(path), login="clerk")
            assert done.returncode == 0, done.stderr
            with path.open(newline="", encoding="utf-8") as handle:
                assert list(csv.DictReader(handle)) == demo.weekly(*export, *(("--rules", rules) if key != "addon-burden" else ())), command


@pytest.mark.slow
def test_where_the_rule_sets_differ_each_has_its_column_and_its_line(demo: Demo, tmp_path: Path) -> None:
    """A rule set whose case hours are double the current ones: hours and coverage differ, so their
    tables carry a column per rule set, their charts a line each, and the summary a figure each."""
    proposed = (Path(__file__).parents[2] / "projections" / "rules" / "proposed.toml").read_text(encoding="utf-8")
    heavier = re.sub(r"(\w+_po) = ([\d.]+)", lambda found: f"{found[1]} = {float(found[2]) * 2}", proposed).replace('name = "proposed"', 'name = "heavier"')
    assert heavier.count("= 2.5") and heavier != proposed
    (tmp_path / "heavier.toml").write_text(heavier, encoding="utf-8")
    report = tmp_path / "heavier.html"
    written = run_cli(
        demo.url,
        "report",
        "--from",
        str(demo.first),
        "--to",
        str(demo.last),
        "--rules",
        f"current,{tmp_path / 'heavier.toml'}",
        "--output",
        str(report),
        login="clerk",
    )
    assert written.returncode == 0, written.stderr
    markup = report.read_text(encoding="utf-8")
    tables = report_tables(markup)
    assert tables["weekly-hours"][0][0] == [
        "site",
        *(f"{column} ({rules})" for rules in ("current", "heavier") for column in ("officer-weeks", "weeks over", "hours over")),
    ]
    hours_over = tables["weekly-hours"][0][-1]  # the "all sites" row
    assert isinstance(hours_over[3], float) and isinstance(hours_over[6], float) and hours_over[6] > hours_over[3]  # double the case hours: more hours over
    weekly = markup.split('<section id="weekly-hours"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'class="mark-text role-legend-label"[^>]*><text[^>]*>([^<]*)</text>', weekly) == ["current", "heavier"]
    assert "give the same figures" not in weekly
    measures = [row[0] for row in tables["summary"][0][1:]]
    assert sum("(current rules)" in str(measure) for measure in measures) == 4 and sum("(heavier rules)" in str(measure) for measure in measures) == 4


def layout_text(pdf: Path, *options: str) -> str:
    done = subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True, check=True, text=True)
    return done.stdout


def squeezed(text: str) -> str:
    """Text without spaces and hyphens: a header's words however its cell wrapped or hyphenated them."""
    return re.sub(r"[\s\-\u2010\u00ad]", "", text)


def figure(cell: object) -> float:
    """A table cell that holds a number, as the number."""
    assert isinstance(cell, float), cell
    return cell


def pdf_dictionary(value: PdfObject) -> DictionaryObject:
    """A PDF object that must be a dictionary (followed if it is a reference), as one."""
    found = value.get_object()
    assert isinstance(found, DictionaryObject), found
    return found


def structure(node: Any) -> Iterator[DictionaryObject]:
    """Every element of a tagged PDF's structure tree, depth first."""
    node = node.get_object() if isinstance(node, IndirectObject) else node
    if isinstance(node, ArrayObject):
        for kid in node:
            yield from structure(kid)
    elif isinstance(node, DictionaryObject) and node.get("/Type") != "/OBJR" and "/MCID" not in node:
        yield node
        yield from structure(node.get("/K", ArrayObject()))


@pytest.mark.slow
def test_the_pdf_shows_every_table_whole_on_a4_pages_and_is_tagged(demo: Demo) -> None:
    """``pdftotext`` reads only what is on a page: each table's caption and headers (however they
    wrapped) and each row on one line, every cell in order; each chart's legend whole. Every page is
    A4, portrait or landscape; the PDF is tagged (PDF/UA-1), each chart a figure whose alternate
    text is its title."""
    layout = layout_text(demo.pdf, "-layout").splitlines()
    raw = squeezed(layout_text(demo.pdf, "-raw"))
    missing = [caption for caption in re.findall(r"<caption>(.*?)</caption>", demo.markup) if squeezed(html.unescape(caption)) not in raw]
    for key, tables in report_texts(demo.markup).items():
        for header, *rows in tables:
            missing += [f"{key}: header {cell!r}" for cell in header if squeezed(str(cell)) not in raw]
            for row in rows:
                cells = row[1:] if key == "summary" else row  # the summary's measures are sentences that wrap
                line = re.compile(r"(?<!\S)" + r"\s+".join(re.escape(str(cell)) for cell in cells) + r"(?!\S)")
                if not any(line.search(text) for text in layout):
                    missing.append(f"{key}: row {row}")
    for chart in CHARTS:
        svg = demo.markup.split(f'<svg data-chart="{chart}"', 1)[1].split("</svg>", 1)[0]
        legend = re.findall(r'class="mark-text role-legend-label"[^>]*><text[^>]*>([^<]*)</text>', svg)
        if squeezed(html.unescape("".join(legend))) not in raw or any("…" in label for label in legend):
            missing.append(f"{chart}: legend {legend}")
    assert missing == []
    reader = PdfReader(demo.pdf)
    sizes = {tuple(round(float(value)) for value in page.mediabox[2:]) for page in reader.pages}
    assert sizes <= {(595, 842), (842, 595)} and (842, 595) in sizes  # the CCLO months print landscape
    root = pdf_dictionary(reader.trailer["/Root"])
    assert pdf_dictionary(root["/MarkInfo"])["/Marked"] and str(root["/Lang"]) == "en"
    figures = [element for element in structure(pdf_dictionary(root["/StructTreeRoot"])["/K"]) if element.get("/S") == "/Figure"]
    titles = [html.unescape(title) for title in re.findall(r'<title id="[^"]+-title">([^<]*)</title>', demo.markup)]
    assert len(titles) == len(CHARTS) and sorted(str(figure["/Alt"]) for figure in figures) == sorted(titles)
    text = " ".join(page.extract_text() for page in reader.pages)
    assert all(squeezed(title) in raw for title in ("Summary", *TITLES.values(), "Provenance"))
    assert not [offender for offender in demo.offenders if offender in text]


def test_the_report_ends_with_its_provenance(demo: Demo) -> None:
    meta = json.loads(demo.markup.split('id="provenance-json">')[1].split("</script>")[0])  # script text: read as it is
    assert meta["period"] == f"{demo.first}..{demo.last}"
    assert [rules["name"] for rules in meta["rules"]] == ["current", "proposed"]
    assert meta["deidentified"] is True and meta["log_position"] > 0 and len(meta["chain_head"]) == 64
    assert meta["as_of"] == str(demo.last)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--from", "2026-02-30", "--to", "2026-03-31", "--output", "{dir}/r.html"), "--from: '2026-02-30' is not a date, like 2026-03-31"),
        (("--from", "2026-04-01", "--to", "2026-03-31", "--output", "{dir}/r.html"), "--from: 2026-04-01 is after --to 2026-03-31"),
        (("--from", "2026-01-01", "--to", "2026-03-31", "--output", "{dir}/r.txt"), "--output: '{dir}/r.txt': a report is written as .html or .pdf"),
        (
            ("--from", "2026-01-01", "--to", "2026-03-31", "--rules", "current,proposed,current", "--output", "{dir}/r.html"),
            "--rules: name one or two rule sets, like current,proposed",
        ),
        (("--from", "2026-01-01", "--to", "2026-03-31", "--rules", "current,current", "--output", "{dir}/r.html"), "--rules: name two different rule sets"),
        (
            ("--from", "2026-01-01", "--to", "2026-03-31", "--output", "{dir}/no-such-folder/r.html"),
            "--output: no folder '{dir}/no-such-folder' to write 'r.html' in",
        ),
        (
            ("--from", "2026-01-01", "--to", "2999-03-31", "--output", "{dir}/r.html"),
            "--to: 2999-03-31 is after today ({today}): a report covers what has happened",
        ),
        (("--from", "0001-01-01", "--to", "2026-03-31", "--output", "{dir}/r.html"), "--from: 0001-01-01 is before 1900-01-01: no event is that old"),
        (("--from", "2026-01-01", "--to", "2026-03-31", "--site", "NOPE", "--output", "{dir}/r.html"), "--site: no site 'NOPE' is registered"),
    ],
)
def test_a_report_refused_says_why_in_one_line_and_writes_nothing(demo: Demo, tmp_path: Path, arguments: tuple[str, ...], message: str) -> None:
    today = max(dt.datetime.now(ZoneInfo(zone)).date() for zone in demo.zones)  # the latest local date at the demo's sites
    result = run_cli(demo.url, "report", *(argument.format(dir=tmp_path) for argument in arguments), login="clerk")
    assert (result.returncode, result.stderr.decode().strip()) == (2, "caseledger: " + message.format(dir=tmp_path, today=today))
    assert not list(tmp_path.rglob("r.*"))


@pytest.mark.slow
def test_a_supervisor_reports_on_their_own_sites_only(demo: Demo, tmp_path: Path) -> None:
    """sup.ON0-CBI supervises ON0-CBI: their report holds that site's rows only; another site is refused."""
    mine = tmp_path / "mine.html"
    done = run_cli(demo.url, "report", "--from", str(demo.first), "--to", str(demo.last), "--output", str(mine), login="sup.ON0-CBI")
    assert done.returncode == 0, done.stderr
    assert {row[0] for row in report_tables(mine.read_text())["staffing"][0][1:]} == {"ON0-CBI"}
    other = run_cli(
        demo.url, "report", "--from", str(demo.first), "--to", str(demo.last), "--site", "ON0-MHI", "--output", str(tmp_path / "x.html"), login="sup.ON0-CBI"
    )
    assert (other.returncode, other.stderr.decode().strip()) == (2, "caseledger: refused: --site: ON0-MHI: you may report on ON0-CBI only")
    assert not (tmp_path / "x.html").exists()


@pytest.mark.slow
def test_a_pdf_without_its_libraries_is_refused_before_any_work(demo: Demo, tmp_path: Path) -> None:
    """WeasyPrint that cannot load Pango (a machine without the OS packages): one line, exit 2."""
    (tmp_path / "weasyprint.py").write_text("raise OSError(\"cannot load library 'libpango-1.0-0'\")\n")
    result = run_cli(
        demo.url,
        "report",
        "--from",
        str(demo.first),
        "--to",
        str(demo.last),
        "--output",
        str(tmp_path / "r.pdf"),
        env={"PYTHONPATH": str(tmp_path)},
        login="clerk",
    )
    assert result.returncode == 2 and not (tmp_path / "r.pdf").exists()
    assert result.stderr.decode().strip() == (
        "caseledger: --output: a PDF needs WeasyPrint and Pango (cannot load library 'libpango-1.0-0'): "
        "pip install 'caseledger[pdf]', apt-get install libpango-1.0-0 libpangoft2-1.0-0; or write .html"
    )


@pytest.mark.slow
def test_demo_report_refused_seeds_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/empty.db"
    result = run_cli(url, "demo", "--report", str(tmp_path / "nowhere" / "r.html"), login="clerk")
    assert (result.returncode, result.stderr.decode().strip()) == (2, f"caseledger: --report: no folder '{tmp_path / 'nowhere'}' to write 'r.html' in")
    assert not (tmp_path / "empty.db").exists()


def test_the_report_is_the_same_on_sqlite_and_postgresql(sqlite_url: str, postgres_url: str, tmp_path: Path) -> None:
    """The same events on both stores give the same report, table for table (provenance aside)."""
    lines = [msgspec.json.encode(line) for line in generate(4000, seed=11, until=GENERATED_UNTIL)]
    days = sorted(json.loads(line)["occurred_at"][:10] for line in lines)
    spec = ReportSpec.of(days[len(days) // 4], days[-1])
    tables = []
    for url in (sqlite_url, postgres_url):
        app = open_application(url)
        import_lines(app, lines, "admin", keep_recorded=True)
        path = tmp_path / f"{url.split(':')[0]}.html"
        write_report(Projector(app), spec, str(path), sites=None)
        found = report_tables(path.read_text(encoding="utf-8"))
        tables.append(found)
    assert tables[0] == tables[1]
    assert sum(len(table) - 1 for section in tables[0].values() for table in section) > 20  # rows, beyond the headers
