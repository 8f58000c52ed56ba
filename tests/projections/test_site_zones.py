"""Sites' time zones come from the timeline read model plus the log's tail, and always equal a
scan of the whole log — before any read model exists, caught up, and lagging behind new sites."""

from __future__ import annotations

import pytest

from caseledger.domain.store.log import site_zones
from caseledger.projections.engine.projector import Projector
from caseledger.projections.readmodels.database import Database
from caseledger.projections.replay.facts import registered_zones
from tests.support.world import open_ledger, seed_world

EXPECTED = {"KP": "America/Toronto", "PEN": "America/Vancouver", "CCC1": "America/Toronto", "KPO": "America/Toronto"}
"""The tiny world's four sites (tests/support/world.py)."""


def test_zones_from_the_read_model_and_the_tail_equal_a_full_scan(store_url: str) -> None:
    app, service = open_ledger(store_url)
    seed_world(service)
    db = Database(app)
    assert not db.recorder.has_table("cl_tracking")
    assert registered_zones(db).as_dict() == site_zones(app) == EXPECTED  # no read models yet: the whole log
    projector = Projector(app)
    projector.catch_up()
    assert registered_zones(db).as_dict() == EXPECTED  # caught up: all from the read model
    service.register_site("EDM", "Edmonton Institution", "institution", "prairies", "America/Edmonton", security_levels=["maximum"], occurred_at="2026-01-07")
    lagging = registered_zones(db).as_dict()  # the read model has not applied EDM yet: it comes from the tail
    assert lagging == site_zones(app) == {**EXPECTED, "EDM": "America/Edmonton"}
    projector.rebuild(["timeline"])
    assert registered_zones(db).as_dict() == lagging


def test_the_tail_alone_is_read_after_the_read_models_position(store_url: str) -> None:
    app, service = open_ledger(store_url)
    seed_world(service)
    Projector(app).catch_up()
    head = app.head_position()
    assert site_zones(app, after=head) == {}
    service.register_site("EDM", "Edmonton Institution", "institution", "prairies", "America/Edmonton", security_levels=["maximum"], occurred_at="2026-01-07")
    assert site_zones(app, after=head) == {"EDM": "America/Edmonton"}


def test_a_caught_up_store_reads_no_log_before_the_read_models_position(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app, service = open_ledger(store_url)
    seed_world(service)
    Projector(app).catch_up()
    asked: list[int] = []

    def tail(app_: object, after: int = 0) -> dict[str, str]:
        asked.append(after)
        return site_zones(app, after=after)

    monkeypatch.setattr("caseledger.projections.replay.facts.site_zones", tail)
    assert registered_zones(Database(app)).as_dict() == EXPECTED
    assert asked == [app.head_position()]


def test_a_tampered_or_missing_read_model_never_changes_a_zone(store_url: str) -> None:
    """The read model is only an index of where registrations are: rows deleted, time zones
    rewritten, garbage in its data, or the table dropped — the zones still come from the log."""
    from tests.support.tampering import sql

    app, service = open_ledger(store_url)
    seed_world(service)
    Projector(app).catch_up()
    db = Database(app)
    sql(store_url, "UPDATE cl_timeline SET data = %s WHERE type = 'SiteRegistered'", ('{"garbage": true, "timezone": "Asia/Tokyo"}',))
    assert registered_zones(db).as_dict() == EXPECTED
    sql(store_url, "DELETE FROM cl_timeline WHERE type = 'SiteRegistered' AND position > 1")
    zones = registered_zones(db)
    assert zones.zone_of("KP") == "America/Toronto" and zones.zone_of("PEN") == "America/Vancouver"  # missed: the log is read
    sql(store_url, "UPDATE cl_tracking SET position = -5 WHERE name = 'timeline'")
    assert registered_zones(db).as_dict() == EXPECTED
    sql(store_url, "DROP TABLE cl_timeline")
    assert registered_zones(db).as_dict() == EXPECTED


def test_new_read_model_rows_get_the_right_local_date_after_the_index_lost_a_site(store_url: str) -> None:
    """22:00 in Toronto on 10 January is 03:00 UTC on the 11th: the add-on's local date must stay
    the 10th even when the timeline no longer lists KP's registration."""
    from tests.support.tampering import sql

    app, service = open_ledger(store_url)
    seed_world(service)
    Projector(app).catch_up()
    sql(store_url, "DELETE FROM cl_timeline WHERE type = 'SiteRegistered'")
    position = service.log_addon_task("po1", "clerical", 15, occurred_at="2026-01-10T22:00:00-05:00")
    Projector(app).catch_up()
    assert sql(store_url, "SELECT occurred_date FROM cl_addons WHERE position = %s", (position,)) == [("2026-01-10",)]
