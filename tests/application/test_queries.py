"""The application layer's own decisions, checked directly: which events a filter keeps, how the
Site view orders officers, and what an export request refuses first.

Hand-checked: the tiny world (tests/support/world.py) registers sites on 2026-01-05 and admits O1
at KP (America/Toronto) on 2026-01-06; below, po2 starts covering po1 on 2026-01-08 at KP, and
po1 logs 30 minutes on 2026-01-09 at 23:30 Toronto time — 04:30 UTC on the 10th, so the bare date
2026-01-10 (a local day at KP) must *not* include it, while 2026-01-09 must.
"""

from __future__ import annotations

import pytest

from caseledger.application.events import EventFilter, filtered_events
from caseledger.application.exports import ExportSpec
from caseledger.application.officer import site_rows
from caseledger.application.text import describe_fields
from caseledger.domain.errors import LedgerError
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.times import parse_cutoff
from tests.support.world import open_ledger, seed_world


def test_filters_keep_what_they_name_with_local_days_inclusive(sqlite_url: str) -> None:
    app, service = open_ledger(sqlite_url)
    seed_world(service)
    coverage = service.start_coverage("po1", "po2", occurred_at="2026-01-08")
    late_evening = service.log_addon_task("po1", "clerical", 30, occurred_at="2026-01-09T23:30:00-05:00")

    def positions(keep: EventFilter) -> list[int]:
        return [event.position for event in filtered_events(app, keep)]

    # po2 is named as the covering officer of the coverage only
    # positions: 4 sites (1–4), po1 (5), po2 (6), cpo (7), O1 admitted (8), the coverage (9)
    assert positions(EventFilter(officer="po2")) == [6, coverage]
    assert positions(EventFilter(types=["AddOnTaskLogged"], occurred_to=parse_cutoff("2026-01-09", "to"))) == [late_evening]
    assert positions(EventFilter(types=["AddOnTaskLogged"], occurred_from=parse_cutoff("2026-01-10", "from"))) == []
    assert positions(EventFilter(types=["AddOnTaskLogged"], occurred_from=parse_cutoff("2026-01-09", "from"))) == [late_evening]
    assert positions(EventFilter(actor="nobody")) == []


def test_describe_fields_reads_like_the_event_and_can_leave_the_offender_out() -> None:
    event = p.CaseAssigned(offender="O1", officer="po1")
    assert describe_fields(event) == "offender=O1, officer=po1"
    assert describe_fields(event, omit=("offender",)) == "officer=po1"


def _row(officer: str, site: str, uncovered: int, ratio: float | None) -> dict[str, object]:
    return {"officer": officer, "site": site, "uncovered_caseload": uncovered, "ratio_utilization": ratio}


def test_the_site_view_shows_uncovered_caseloads_first_then_the_most_over_ratio() -> None:
    everyone = [_row("a", "KP", 0, 0.9), _row("b", "KP", 0, 1.2), _row("c", "KP", 12, None), _row("d", "PEN", 30, 2.0), _row("e", "KP", 0, 1.2)]
    mine, shown = site_rows(everyone, "a", all_sites=False)
    assert mine == "KP"
    assert [row["officer"] for row in shown] == ["c", "b", "e", "a"]  # d is at another site
    _mine, every_site = site_rows(everyone, "a", all_sites=True)
    assert [row["officer"] for row in every_site] == ["d", "c", "b", "e", "a"]
    nobody, all_of_them = site_rows(everyone, "not-an-officer", all_sites=False)
    assert nobody is None and len(all_of_them) == 5


def test_an_export_request_refuses_in_the_order_a_person_typed_it(tmp_path: object) -> None:
    with pytest.raises(LedgerError, match="no projection named 'nope'"):
        ExportSpec.of("nope", rules="no-such-rules", as_of="yesterday")
    with pytest.raises(LedgerError, match="no-such-rules"):
        ExportSpec.of("workload", rules="no-such-rules", as_of="yesterday")
    with pytest.raises(LedgerError, match="as of"):
        ExportSpec.of("workload", as_of="yesterday", labels=("as of", "known at"))
    spec = ExportSpec.of("addon_burden", by_site=True, rules="proposed", as_of="2026-03-31")
    assert (spec.rules.name, spec.view.as_of is not None, spec.view.known_at) == ("proposed", True, None)
