"""Sites' time zones come from the timeline read model plus the log's tail, and always equal a
scan of the whole log — before any read model exists, caught up, and lagging behind new sites."""

from __future__ import annotations

from caseledger.domain.store.log import site_zones
from caseledger.projections.readmodels.database import Database
from caseledger.projections.readmodels.engine import Projector
from caseledger.projections.replay.facts import registered_zones
from tests.support.world import open_ledger, seed_world

EXPECTED = {"KP": "America/Toronto", "PEN": "America/Vancouver", "CCC1": "America/Toronto", "KPO": "America/Toronto"}
"""The tiny world's four sites (tests/support/world.py)."""


def test_zones_from_the_read_model_and_the_tail_equal_a_full_scan(store_url: str) -> None:
    app, service = open_ledger(store_url)
    seed_world(service)
    db = Database(app)
    assert not db.recorder.has_table("cl_tracking")
    assert registered_zones(db) == site_zones(app) == EXPECTED  # no read models yet: the whole log
    projector = Projector(app)
    projector.catch_up()
    assert registered_zones(db) == EXPECTED  # caught up: all from the read model
    service.register_site("EDM", "Edmonton Institution", "institution", "prairies", "America/Edmonton", security_levels=["maximum"], occurred_at="2026-01-07")
    lagging = registered_zones(db)  # the read model has not applied EDM yet: it comes from the tail
    assert lagging == site_zones(app) == {**EXPECTED, "EDM": "America/Edmonton"}
    projector.rebuild(["timeline"])
    assert registered_zones(db) == lagging


def test_the_tail_alone_is_read_after_the_read_models_position(store_url: str) -> None:
    app, service = open_ledger(store_url)
    seed_world(service)
    Projector(app).catch_up()
    head = app.head_position()
    assert site_zones(app, after=head) == {}
    service.register_site("EDM", "Edmonton Institution", "institution", "prairies", "America/Edmonton", security_levels=["maximum"], occurred_at="2026-01-07")
    assert site_zones(app, after=head) == {"EDM": "America/Edmonton"}


def test_a_caught_up_store_reads_no_log_before_the_read_models_position(store_url: str, monkeypatch: object) -> None:
    from caseledger.projections.replay import facts

    app, service = open_ledger(store_url)
    seed_world(service)
    Projector(app).catch_up()
    asked: list[int] = []

    def tail(app_: object, after: int = 0) -> dict[str, str]:
        asked.append(after)
        return site_zones(app, after=after)

    monkeypatch.setattr(facts, "site_zones", tail)  # type: ignore[attr-defined]
    assert registered_zones(Database(app)) == EXPECTED
    assert asked == [app.head_position()]
