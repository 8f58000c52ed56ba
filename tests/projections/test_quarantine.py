"""Quarantine on read (issue #23, point 4), at the projection engine, on SQLite and PostgreSQL:
events written around the program are judged, kept out of every read model, listed, and never
stop the projector; a rebuild that fails leaves the read models as they were.

Hand-worked scenario (:func:`test_each_kind_of_forgery_is_quarantined_and_the_rest_applied`),
on the tiny world (sites KP, PEN, CCC1, KPO; officers po1, po2 at KP and cpo at KPO; O1 admitted at
KP; all recorded by ``tester``, the store's first user, so an admin), then by hand:

=====  =========================================================  ====================================
pos.   written by hand                                            judged
=====  =========================================================  ====================================
h+1    AddOnTaskLogged po1, ``"minutes": "lots"``, chain row      quarantined: does not decode
                                                                  (``$.data.minutes`` expects an int)
h+2    AddOnTaskLogged for officer ``ghost``, chain row           quarantined: officer: unknown officer
h+3    AddOnTaskLogged po1 20 min, at KP, **no chain row**        quarantined: no chain row
h+4    SiteRegistered KP again (zone Pacific/Kiritimati), chain   quarantined: site: already registered
       row — its zone is not used: po2's task below is dated
       2026-03-20 at KP (Toronto), not the 21st
h+5    AddOnTaskLogged po2 15 min at KP, chain row, by tester     applied (valid, and tester is admin)
=====  =========================================================  ====================================

So the add-on read model holds exactly one row more than before (po2's 15 minutes at h+5), the
quarantine lists h+1..h+4, and a rebuild from scratch gives the same.
"""

from __future__ import annotations

import random
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseledger.application.imports import import_lines
from caseledger.domain.store.application import LedgerApplication, open_application
from caseledger.fixtures.generate import generate
from caseledger.projections.engine.projector import SEALED_TRACKING, Projector
from caseledger.projections.readmodels.database import Database
from caseledger.projections.readmodels.tables import TOTALS, AddOnModel, TimelineModel
from tests.support.forgery import append_by_hand, envelope
from tests.support.generated import GENERATED_UNTIL
from tests.support.stores import NewStore
from tests.support.tampering import sql
from tests.support.world import open_ledger, seed_world


def _addon(officer: str, minutes: Any, at_site: str | None = "KP", by: str = "tester") -> bytes:
    return envelope(by, {"officer": officer, "category": "clerical", "minutes": minutes}, at_site=at_site)


def test_each_kind_of_forgery_is_quarantined_and_the_rest_applied(store_url: str) -> None:
    app, service = open_ledger(store_url)
    seed_world(service)
    projector = Projector(app)
    projector.catch_up()
    before = _rows(app)
    head = app.head_position()
    registered = msgspec.json.decode(sql(store_url, "SELECT state FROM stored_events WHERE rowid = 1")[0][0])
    registered["data"]["timezone"] = "Pacific/Kiritimati"  # UTC+14: noon UTC would be the next day at KP
    key = app.ledger_key  # an insider whose client holds the cache key (whence the ledger key)

    forged = [
        append_by_hand(store_url, "AddOnTaskLogged", _addon("po1", "lots"), key=key),
        append_by_hand(store_url, "AddOnTaskLogged", _addon("ghost", 10), key=key),
        append_by_hand(store_url, "AddOnTaskLogged", _addon("po1", 20), key=key, chained=False),
        append_by_hand(store_url, "SiteRegistered", msgspec.json.encode(registered), key=key),
    ]
    valid = append_by_hand(store_url, "AddOnTaskLogged", _addon("po2", 15), key=key)
    assert forged == [head + 1, head + 2, head + 3, head + 4] and valid == head + 5

    projector = Projector(open_application(store_url))  # a fresh process: it reads the sites' zones anew
    projector.catch_up()  # does not stop at the poison
    assert projector.positions() == {"timeline": head + 5, "addons": head + 5}
    listed = projector.quarantined()
    author = app.ledger_recorder.login or "tester"  # PostgreSQL proves the login that inserted it
    assert [(event.position, event.type, event.author) for event in listed] == [
        (head + 1, "AddOnTaskLogged", author),
        (head + 2, "AddOnTaskLogged", author),
        (head + 3, "AddOnTaskLogged", author),
        (head + 4, "SiteRegistered", author),
    ]
    reasons = [event.reason for event in listed]
    assert reasons[0].startswith("does not decode") and "$.data.minutes" in reasons[0]
    assert reasons[1] == "officer: unknown officer 'ghost'"
    assert reasons[2] == "no chain row: written outside the ledger"
    assert reasons[3] == "site: site 'KP' is already registered"
    after = _rows(app)
    assert after["timeline"] == before["timeline"]
    assert after["addons"] == [*before["addons"], ("po2", 15)]
    db = Database(app)
    with db.transaction(write=False) as cursor:
        *_, newest = AddOnModel().sealed(db).select(cursor, order="position")
    assert newest[7] == "2026-03-20"  # occurred_date at KP in Toronto time, not the forged zone's

    rebuilt = Projector(app)
    rebuilt.rebuild()
    assert _rows(app) == after
    assert [event.position for event in rebuilt.quarantined()] == forged


def test_a_catch_up_in_a_fresh_process_judges_against_the_log_as_of_its_position(store_url: str) -> None:
    """The judge's state from a position P > 0 is read from the log as of P, without what was
    quarantined: an officer registered by a quarantined event stays unknown after it."""
    app, service = open_ledger(store_url)
    seed_world(service)
    Projector(app).catch_up()
    ghost = envelope("tester", {"officer": "ghost", "name": "G", "site": "NOWHERE", "role": "institutional_po"}, at_site="NOWHERE")
    registration = append_by_hand(store_url, "OfficerRegistered", ghost, key=app.ledger_key)
    Projector(open_application(store_url)).catch_up()  # quarantines it (unknown site), then stops
    task = append_by_hand(store_url, "AddOnTaskLogged", _addon("ghost", 30, at_site="NOWHERE"), key=app.ledger_key)
    fresh = Projector(open_application(store_url))
    fresh.catch_up()
    assert [(event.position, event.reason) for event in fresh.quarantined()] == [
        (registration, "site: unknown site 'NOWHERE'"),
        (task, "officer: unknown officer 'ghost'"),
    ]


def _rows(app: LedgerApplication) -> dict[str, list[tuple[Any, ...]]]:
    """The read models' facts without their positions or recording times (which differ between
    two stores holding the same valid events)."""
    db = Database(app)
    with db.transaction(write=False) as cursor:
        timeline = [
            (kind, site, occurred, day, data) for _p, kind, site, occurred, day, _r, _rd, data in TimelineModel().sealed(db).select(cursor, order="position")
        ]
        addons = [(row[1], row[5]) for row in AddOnModel().sealed(db).select(cursor, order="position")]
        cursor.execute(f"SELECT officer, site, week, category, minutes FROM {db.table(TOTALS)} ORDER BY officer, site, week, category")
        totals = [tuple(row) for row in cursor.fetchall()]
    return {"timeline": timeline, "addons": addons, "totals": totals}


def _every_read_model_table(app: LedgerApplication) -> dict[str, list[tuple[Any, ...]]]:
    """Every sealed table, the seals and the tracking rows, as stored."""
    db = Database(app)
    tables = {*SEALED_TRACKING, "cl_seals", "cl_tracking"}
    with db.transaction(write=False) as cursor:
        return {
            table: sorted(
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in cursor.execute(f"SELECT * FROM {db.table(table)}").fetchall()
            )
            for table in tables
        }


def _fail_inserts_into_addons_at(app: LedgerApplication, position: int) -> None:
    """A database failure in the middle of a rebuild: the add-on row at ``position`` is refused."""
    db = Database(app)
    table = db.table(AddOnModel.table)
    with db.transaction(write=True) as cursor:
        if db.recorder.binary_type == "BLOB":
            overflow = "SELECT abs(-9223372036854775807 - 1)"  # a run-time error, not a constraint (which reads as a race lost)
            cursor.execute(f"CREATE TRIGGER injected_failure BEFORE INSERT ON {table} WHEN NEW.position = {position} BEGIN {overflow}; END")
        else:
            cursor.execute(
                "CREATE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF NEW.position = {position} THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$"
            )
            cursor.execute(f"CREATE TRIGGER injected_failure BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION injected_failure()")


def test_a_rebuild_that_fails_halfway_leaves_the_read_models_as_they_were(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app, _ = open_ledger(store_url)
    lines = generate(3000, seed=11, until=GENERATED_UNTIL)
    import_lines(app, [msgspec.json.encode(line) for line in lines], "importer", keep_recorded=True)
    monkeypatch.setattr("caseledger.projections.engine.projector.BATCH", 500)  # several batches before the failure
    projector = Projector(app)
    projector.catch_up()
    before = _every_read_model_table(app)
    db = Database(app)
    with db.transaction(write=False) as cursor:
        cursor.execute(f"SELECT position FROM {db.table(AddOnModel.table)} ORDER BY position")
        tasks = [int(position) for (position,) in cursor.fetchall()]
    _fail_inserts_into_addons_at(app, tasks[len(tasks) * 2 // 3])
    with pytest.raises(Exception, match=r"injected failure|integer overflow"):
        Projector(app).rebuild()
    assert _every_read_model_table(app) == before
    Projector(app).check(rows=True)


# -- the property ----------------------------------------------------------------------------------

FORGERIES = ("undecodable", "unknown officer", "no chain row", "second registration", "unknown type")


def _forge(url: str, kind: str, first_state: bytes, key: bytes) -> int:
    if kind == "undecodable":
        return append_by_hand(url, "AddOnTaskLogged", _addon("po1", "lots"), key=key)
    if kind == "unknown officer":
        return append_by_hand(url, "AddOnTaskLogged", _addon("nobody-at-all", 30), key=key)
    if kind == "no chain row":
        return append_by_hand(url, "AddOnTaskLogged", _addon("nobody-at-all", 30), key=key, chained=False)
    if kind == "second registration":
        return append_by_hand(url, "SiteRegistered", first_state, key=key)
    return append_by_hand(url, "Garbage", b"{}", key=key)


@pytest.mark.slow  # two stores per example, hundreds of events each
@settings(max_examples=5)
@given(seed=st.integers(0, 10**6), events=st.integers(150, 400), forgeries=st.lists(st.tuples(st.floats(0.01, 1.0), st.sampled_from(FORGERIES)), max_size=6))
def test_forged_events_anywhere_leave_the_read_models_of_the_valid_log(new_store: NewStore, seed: int, events: int, forgeries: list[tuple[float, str]]) -> None:
    """Random valid logs (the generator's, without retractions, whose targets are positions) with
    random forgeries between their events give the read models of the valid log alone."""
    lines = [msgspec.json.encode(line) for line in generate(events, seed=seed, until=GENERATED_UNTIL)]
    clean_url, forged_url = new_store(), new_store()
    clean, forged = open_application(clean_url), open_application(forged_url)
    import_lines(clean, lines, "importer")
    cuts = sorted((max(1, int(fraction * len(lines))), kind) for fraction, kind in forgeries)
    start, positions = 0, []
    first_state = b""
    for cut, kind in cuts:
        if cut > start:
            import_lines(forged, lines[start:cut], "importer")
            start = cut
        if not first_state:
            first_state = bytes(sql(forged_url, "SELECT state FROM stored_events WHERE rowid = 1")[0][0])
        positions.append(_forge(forged_url, kind, first_state, forged.ledger_key))
    import_lines(forged, lines[start:], "importer")
    chunks = random.Random(seed).randrange(1, 4)
    projector = Projector(forged)
    head = forged.head_position()
    for bound in sorted({head * part // chunks for part in range(1, chunks)} | {head}):
        projector.catch_up(upto=bound)  # in chunks: the judge goes on from where it stopped
    Projector(clean).catch_up()
    assert _rows(forged) == _rows(clean)
    assert [event.position for event in projector.quarantined()] == positions
    Projector(forged).rebuild()
    assert _rows(forged) == _rows(clean)
