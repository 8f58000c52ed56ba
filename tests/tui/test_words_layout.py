"""Layout and words (issue #24, point 7): every abbreviation a screen shows is spelled out in a
legend line where it appears, the footer's essential keys (``q`` Quit among them) are in sight at
80×24, the Audit's *fields* and the Case file's *details* take the width the other columns leave,
and the Site screen's views say what their "cases" count.

On the scenario (``fixtures/scenario.jsonl``): off-005's SIU review of 2026-03-04 was held at
level ``iedm``; on-ccc is a site of kind ``ccc``; po.adams's Due list holds deadlines whose
sources are the rules' ("CD 705-1", "CCRA s.37.3 (placeholder: verify)", …)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Footer, Label
from textual.widgets._footer import FooterKey

from caseledger.tui.widgets.legend import Legend, legend
from caseledger.tui.widgets.tables import REST_LEAST, LedgerTable
from tests.support.tui_helpers import AnyPilot, Drive, make_app, scenario_url, screen_key, settle, table_rows


def test_a_legend_names_each_abbreviation_used_as_a_word_and_no_other() -> None:
    """Hand-checked: "CD 705-6" uses CD; "level: iedm" uses IEDM (a choice's id, in small letters);
    "CCC PO" uses CCC and PO; the ids "ON0-CBI-PO01", "ON0-CCC", "po.adams" and "ccc_po" use none;
    listed in the glossary's order (PO, MAI, CCC, CCLO, SIU, IEDM, CCRA, CCRR, CD, …)."""
    texts = ["CD 705-6 (placeholder: verify)", "level: iedm", "CCC PO", "ON0-CBI-PO01", "ON0-CCC", "po.adams", "ccc_po"]
    assert legend(texts) == (
        "PO: parole officer · CCC: community correctional centre · IEDM: independent external decision-maker · CD: Commissioner's Directive"
    )
    assert legend(["ON0-CBI-PO01", "po.adams", "sr", "ccc_po", "cd"]) == ""


def legend_text(app: Any) -> str:
    return str(app.screen.query_one(Legend).render())


def test_the_due_list_spells_out_its_sources(tmp_path: Path, drive: Drive) -> None:
    """Each act a source cites (CCRA, CCRR, CD) is in the legend exactly when a shown source cites it."""
    app = make_app(scenario_url(tmp_path), "po.adams")

    async def scenario(pilot: AnyPilot) -> None:
        table = app.screen.query_one(LedgerTable)
        sources = [str(row[-1]) for row in table_rows(table)]
        assert sources
        words = {"CCRA": "Corrections and Conditional Release Act", "CCRR": "Corrections and Conditional Release Regulations", "CD": "Commissioner's Directive"}
        for short, spelled in words.items():
            assert (f"{short}: {spelled}" in legend_text(app)) == any(source.startswith(f"{short} ") for source in sources), short

    drive(app, scenario, screen="due")


@pytest.mark.parametrize("mode", ["audit", "casefile"])
def test_iedm_and_siu_are_spelled_out_where_they_appear(tmp_path: Path, drive: Drive, mode: str) -> None:
    app = make_app(scenario_url(tmp_path), None)

    async def scenario(pilot: AnyPilot) -> None:
        if mode == "casefile":
            app.open_case("off-005")
            await settle(pilot)
        shown = " ".join(str(cell) for row in table_rows(app.screen.query_one(LedgerTable)) for cell in row)
        assert "iedm" in shown
        assert "IEDM: independent external decision-maker" in legend_text(app)
        assert "SIU: structured intervention unit" in legend_text(app)
        if mode == "audit":
            assert "kind: ccc" in shown and "CCC: community correctional centre" in legend_text(app)

    drive(app, scenario, screen=mode)


SCREENS = [("due", ()), ("caseload", ()), ("casefile", ()), ("site", ()), ("site", ("s",)), ("site", ("p",)), ("audit", ())]


@pytest.mark.parametrize("user", ["po.adams", "mai.evans"])
@pytest.mark.parametrize(("mode", "keys"), SCREENS, ids=["due", "caseload", "casefile", "site", "sites", "staffing", "audit"])
def test_quit_is_in_the_footer_at_80_by_24(tmp_path: Path, drive: Drive, user: str, mode: str, keys: tuple[str, ...]) -> None:
    """The ``q`` Quit key is drawn whole, left of the palette's key (which covers what runs under
    it: the key's last cell is a space). The keys left out (Site's ``s`` ``p``, Caseload's ``v``,
    the Audit's ``]`` ``[`` and ``x``, the Case file's ``x``) are said on the screen and in ``?``."""
    app = make_app(scenario_url(tmp_path), user)

    async def scenario(pilot: AnyPilot) -> None:
        if mode == "casefile":  # a case open: the keys of its table (a text box's are the app's)
            app.open_case("off-001")
            await settle(pilot)
        footer = app.screen.query_one(Footer)
        shown = {key.key: key for key in footer.query(FooterKey)}
        assert "q" in shown, sorted(shown)
        palette = next(key for key in footer.query(FooterKey) if key.has_class("-command-palette"))
        assert shown["q"].region.right - 1 <= palette.region.x, (shown["q"].region, palette.region)
        assert shown["q"].region.width > 0

    drive(app, scenario, size=(80, 24), screen=mode, keys=keys)


@pytest.mark.parametrize(("mode", "label"), [("audit", "fields"), ("casefile", "details")])
def test_the_free_text_column_takes_the_width_the_others_leave_at_120_by_40(tmp_path: Path, drive: Drive, mode: str, label: str) -> None:
    """The other columns wrap their labels and cells at words so the free text gets at least
    REST_LEAST cells (or its whole text), and the table still fits the screen."""
    app = make_app(scenario_url(tmp_path), None)

    async def scenario(pilot: AnyPilot) -> None:
        if mode == "casefile":
            app.open_case("off-005")
            await settle(pilot)
        table = app.screen.query_one(LedgerTable)
        widths = {str(column.label): column.width for column in table.ordered_columns}
        longest = max(len(str(row[-1])) for row in table_rows(table))
        assert widths[label] >= min(REST_LEAST, longest), widths
        assert sum(column.get_render_width(table) for column in table.ordered_columns) <= table.size.width

    drive(app, scenario, screen=mode)


@pytest.mark.parametrize(("keys", "counted"), [(("s",), "cases: the officers' own caseloads"), (("p",), "cases: offenders located at the site")])
def test_each_site_view_says_what_its_cases_count(tmp_path: Path, drive: Drive, keys: tuple[str, ...], counted: str) -> None:
    app = make_app(scenario_url(tmp_path), "mai.evans")

    async def scenario(pilot: AnyPilot) -> None:
        assert counted in str(app.screen.query_one("#site-message", Label).render())

    drive(app, scenario, screen="site", keys=keys)


def test_the_keys_out_of_the_footer_are_said_on_the_screen(tmp_path: Path, drive: Drive) -> None:
    """Site's ``s`` and ``p`` and Caseload's ``v`` and Enter left the footer (for ``q``): the
    message line and the legend say them."""
    app = make_app(scenario_url(tmp_path), "po.adams")

    async def scenario(pilot: AnyPilot) -> None:
        assert "s: sites · p: staffing" in str(app.screen.query_one("#site-message", Label).render())
        await pilot.press(screen_key("caseload"))
        await settle(pilot)
        assert legend_text(app).startswith("Enter: open the case · v: all, own or covered · ")

    drive(app, scenario, screen="site")
