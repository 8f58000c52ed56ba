"""``caseledger report`` as an analyst meets it: the demo's report, written by the command line,
opened in headless Chromium (Debian's ``chromium``, driven by Playwright) — every section's chart
drawn, a screenshot that is not blank — and every table re-added from the export its section
names, written by the command line and read with ``csv.DictReader``. No offender id appears in it.

The period ends two months before the demo's last event, so "as of the end of the period" matters
(an export without ``--as-of`` would hold later rows).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import msgspec
import pytest
from PIL import Image
from playwright.sync_api import sync_playwright
from pypdf import PdfReader

from caseledger.application.imports import import_lines
from caseledger.application.report import ReportSpec, write_report
from caseledger.application.text import DEADLINE_WORDS, choice_words
from caseledger.domain.model.times import iso_week
from caseledger.domain.store.application import open_application
from caseledger.fixtures.generate import generate
from caseledger.projections.readmodels.engine import Projector
from tests.cli.test_cli import caseledger
from tests.support.generated import GENERATED_UNTIL
from tests.support.report_tables import report_tables

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


class Demo:
    """The demo store, the report of a period of it, and the exports its sections name."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.url = f"sqlite:///{folder}/demo.db"
        seeded = caseledger("--store", self.url, "demo", "--no-tui")
        assert seeded.returncode == 0, seeded.stderr
        events = [json.loads(line) for line in caseledger("--store", self.url, "events").stdout.splitlines()]
        days = sorted(line["occurred_at"][:10] for line in events)
        self.offenders = {line["offender"] for line in events if "offender" in line}
        self.first = dt.date.fromisoformat(days[0]) + dt.timedelta(days=31)
        self.last = dt.date.fromisoformat(days[-1]) - dt.timedelta(days=60)
        self.weeks = (iso_week(self.first), iso_week(self.last))
        self.span = Fraction((self.last - (self.first - dt.timedelta(days=self.first.weekday()))).days + 1, 7)
        """Weeks of the weekly figures: whole ISO weeks from the Monday of --from to --to, in days / 7."""
        self.report = folder / "report.html"
        written = caseledger("--store", self.url, "report", "--from", str(self.first), "--to", str(self.last), "--output", str(self.report))
        assert written.returncode == 0, written.stderr
        self.markup = self.report.read_text(encoding="utf-8")
        self.tables = report_tables(self.markup)

    def export(self, name: str, *options: str) -> list[dict[str, str]]:
        """The export's rows as a CSV reader reads them, as of the period's end."""
        path = self.folder / f"{name}-{'-'.join(option.strip('-') for option in options)}.csv"
        done = caseledger("--store", self.url, "export", name, "--as-of", str(self.last), *options, "--output", str(path))
        assert done.returncode == 0, done.stderr
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    def weekly(self, name: str, *options: str) -> list[dict[str, str]]:
        return self.export(name, *options, "--from", self.weeks[0], "--to", self.weeks[1])

    def rows(self, section: str, table: int = 0) -> list[list[object]]:
        """A section's table without its header row."""
        return self.tables[section][table][1:]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    return Demo(tmp_path_factory.mktemp("report"))


def exact(text: str) -> Fraction:
    return Fraction(text) if text else Fraction(0)


def two(value: Fraction, places: int = 2) -> float:
    """Round half to even at ``places``, exactly (what the report promises)."""
    return float(round(value, places))


def by(rows: list[dict[str, str]], *keys: str) -> Iterator[tuple[tuple[str, ...], list[dict[str, str]]]]:
    groups: defaultdict[tuple[str, ...], list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        groups[tuple(row[key] for key in keys)].append(row)
    return iter(sorted(groups.items()))


def median(values: list[str]) -> float | None:
    present = [int(value) for value in values if value != ""]
    return float(statistics.median(present)) if present else None


def test_the_report_in_a_browser_shows_every_chart_and_no_offender(demo: Demo, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    with sync_playwright() as playwright:
        chromium = shutil.which("chromium")
        assert chromium, "Debian's chromium is not installed: scripts/system.sh installs it"
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
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
        text = page.locator("body").inner_text()
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert drawn == dict.fromkeys(CHARTS, True)
    assert all(count > 10 for _key, count in marks), marks  # axes, bars, lines: drawn, not an empty frame
    assert titles[:8] == [
        "1. Add-on burden",
        "2. Hours against the 37.5-hour week",
        "3. Coverage and backfill",
        "4. Staffing gap under each rule set",
        "5. Release planning lead time",
        "6. SIU dwell and transfer waits",
        "7. Contacts with community-corrections liaison officers",
        "8. Deadlines met, late and overdue",
    ]
    assert titles[-1] == "Provenance"
    image = Image.open(shot).convert("RGB")
    assert image.height > 3000
    colours = image.getcolors(maxcolors=1 << 20) or []
    not_white = sum(count for count, colour in colours if colour != (255, 255, 255))
    assert len(colours) > 50 and not_white > image.width * image.height * 0.03
    assert demo.offenders and not [offender for offender in demo.offenders if offender in demo.markup or offender in text]


def test_the_add_on_table_adds_up_the_add_on_export(demo: Demo) -> None:
    rows = demo.weekly("addon_burden", "--by", "site")
    categories = sorted({row["category"] for row in rows})
    assert demo.tables["addon-burden"][0][0] == ["site", *(f"{choice_words(c)} (hours)" for c in categories), "all add-ons (hours)", "FTE (average week)"]
    expected = []
    for (site,), group in by(rows, "site"):
        minutes = Counter[str]()
        for row in group:
            minutes[row["category"]] += int(row["minutes"])
        total = Fraction(minutes.total(), 60)
        expected.append([site, *(two(Fraction(minutes[c], 60), 1) for c in categories), two(total, 1), two(total / Fraction(75, 2) / demo.span)])
    assert demo.rows("addon-burden") == expected


def test_the_hours_and_coverage_tables_add_up_their_exports_under_each_rule_set(demo: Demo) -> None:
    hours: dict[str, list[object]] = {}
    cover: dict[str, list[object]] = {}
    for rules in ("current", "proposed"):
        for (site,), group in by(demo.weekly("weekly_hours", "--rules", rules), "site"):
            over = [exact(row["overtime_hours"]) for row in group]
            hours.setdefault(site, [site]).extend([float(len(group)), float(sum(1 for value in over if value > 0)), two(sum(over, Fraction(0)))])
        for (site,), group in by(demo.weekly("coverage", "--by", "site", "--rules", rules), "site"):
            absorbed = sum((exact(row["covered_hours"]) + exact(row["uncovered_hours"]) for row in group), Fraction(0))
            cover.setdefault(site, [site]).extend(
                [
                    float(sum(int(row["covered_case_days"]) for row in group)),
                    float(sum(int(row["uncovered_case_days"]) for row in group)),
                    two(absorbed),
                    two(sum((exact(row["backfill_fte"]) for row in group), Fraction(0)) / demo.span),
                ]
            )
    assert demo.rows("weekly-hours") == list(hours.values())
    assert demo.rows("coverage") == list(cover.values())
    assert any(row[1] for row in demo.rows("coverage")), "the demo has colleagues covering"


def test_the_staffing_table_sets_both_rule_sets_side_by_side(demo: Demo) -> None:
    current, proposed = demo.export("staffing", "--rules", "current"), demo.export("staffing", "--rules", "proposed")
    expected = [
        [
            row["site"],
            choice_words(row["kind"]),
            float(row["cases"]),
            float(row["officers_available_fte"]),
            float(row["required_fte"]),
            float(row["gap_fte"]),
            float(other["required_fte"]),
            float(other["gap_fte"]),
        ]
        for row, other in zip(current, proposed, strict=True)
    ]
    totals = [sum((exact(row[column]) for row in rows), Fraction(0)) for rows in (current, proposed) for column in ("required_fte", "gap_fte")]
    assert demo.rows("staffing") == [
        *expected,
        [
            "all sites",
            "",
            float(sum(int(r["cases"]) for r in current)),
            two(sum((exact(r["officers_available_fte"]) for r in current), Fraction(0))),
            *map(two, totals),
        ],
    ]


def test_the_release_siu_transfer_contact_and_deadline_tables_add_up_their_exports(demo: Demo) -> None:
    first, last = str(demo.first), str(demo.last)
    releases = [row for row in demo.export("release_lead_time") if first <= (row["decision_on"] or row["released_on"]) <= last]
    assert demo.rows("release-planning") == [
        [
            site,
            float(len(group)),
            median([row["plan_lead_days"] for row in group]),
            float(sum(row["short_lead"] == "true" for row in group)),
            float(sum(row["no_plan"] == "true" for row in group)),
            median([row["arrival_to_plan_days"] for row in group]),
        ]
        for (site,), group in by(releases, "site")
    ]
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
    contacts = [row for row in demo.export("cclo_contacts") if first[:7] <= row["month"] <= last[:7]]
    months = sorted({row["month"] for row in contacts})
    assert demo.tables["cclo-contacts"][0][0] == ["site", *months, "contacts", "minutes"]
    assert demo.rows("cclo-contacts") == [
        [
            site,
            *(float(sum(int(r["contacts"]) for r in group if r["month"] == month)) for month in months),
            float(sum(int(r["contacts"]) for r in group)),
            float(sum(int(r["minutes"]) for r in group)),
        ]
        for (site,), group in by(contacts, "site")
    ]
    due = [row for row in demo.export("deadlines") if first <= row["due_on"] <= last and row["status"] in ("met", "late", "overdue")]
    assert demo.rows("deadlines") == [
        [DEADLINE_WORDS.get(deadline, deadline), site, *(float(sum(row["status"] == status for row in group)) for status in ("met", "late", "overdue"))]
        for (deadline, site), group in by(due, "deadline", "site")
    ]
    assert releases and stays and requests and contacts and due


def test_the_report_ends_with_its_provenance(demo: Demo) -> None:
    meta = json.loads(demo.markup.split('id="provenance-json">')[1].split("</script>")[0])  # script text: read as it is
    assert meta["period"] == f"{demo.first}..{demo.last}"
    assert [rules["name"] for rules in meta["rules"]] == ["current", "proposed"]
    assert meta["deidentified"] is True and meta["log_position"] > 0 and len(meta["chain_head"]) == 64
    assert meta["as_of"] == str(demo.last)


def test_a_pdf_report_holds_every_section_and_no_offender(demo: Demo) -> None:
    pdf = demo.folder / "report.pdf"
    written = caseledger("--store", demo.url, "report", "--from", str(demo.first), "--to", str(demo.last), "--output", str(pdf))
    assert written.returncode == 0, written.stderr
    pages = PdfReader(pdf).pages
    text = " ".join(page.extract_text() for page in pages)
    assert len(pages) >= 5
    assert all(title in text for title in ("1. Add-on burden", "4. Staffing gap under each rule set", "8. Deadlines met, late and overdue", "Provenance"))
    assert not [offender for offender in demo.offenders if offender in text]


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
    today = dt.datetime.now(dt.UTC).date()
    result = caseledger("--store", demo.url, "report", *(argument.format(dir=tmp_path) for argument in arguments))
    assert (result.returncode, result.stderr.decode().strip()) == (2, "caseledger: " + message.format(dir=tmp_path, today=today))
    assert not list(tmp_path.rglob("r.*"))


def test_a_supervisor_reports_on_their_own_sites_only(demo: Demo, tmp_path: Path) -> None:
    """sup.ON0-CBI supervises ON0-CBI: their report holds that site's rows only; another site is refused."""
    mine = tmp_path / "mine.html"
    done = caseledger("--store", demo.url, "report", "--from", str(demo.first), "--to", str(demo.last), "--output", str(mine), user="sup.ON0-CBI")
    assert done.returncode == 0, done.stderr
    assert {row[0] for row in report_tables(mine.read_text())["staffing"][0][1:]} == {"ON0-CBI", "all sites"}
    other = caseledger(
        "--store",
        demo.url,
        "report",
        "--from",
        str(demo.first),
        "--to",
        str(demo.last),
        "--site",
        "ON0-MHI",
        "--output",
        str(tmp_path / "x.html"),
        user="sup.ON0-CBI",
    )
    assert (other.returncode, other.stderr.decode().strip()) == (2, "caseledger: refused: --site: ON0-MHI: you may report on ON0-CBI only")
    assert not (tmp_path / "x.html").exists()


def test_a_pdf_without_its_libraries_is_refused_before_any_work(demo: Demo, tmp_path: Path) -> None:
    """WeasyPrint that cannot load Pango (a machine without the OS packages): one line, exit 2."""
    (tmp_path / "weasyprint.py").write_text("raise OSError(\"cannot load library 'libpango-1.0-0'\")\n")
    result = caseledger(
        "--store", demo.url, "report", "--from", str(demo.first), "--to", str(demo.last), "--output", str(tmp_path / "r.pdf"), env={"PYTHONPATH": str(tmp_path)}
    )
    assert result.returncode == 2 and not (tmp_path / "r.pdf").exists()
    assert result.stderr.decode().strip() == (
        "caseledger: --output: a PDF needs WeasyPrint and Pango (cannot load library 'libpango-1.0-0'): "
        "pip install 'caseledger[pdf]', apt-get install libpango-1.0-0 libpangoft2-1.0-0; or write .html"
    )


def test_demo_report_refused_seeds_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/empty.db"
    result = caseledger("--store", url, "demo", "--report", str(tmp_path / "nowhere" / "r.html"))
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
