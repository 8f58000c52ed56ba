"""Issue #23, "Done when": the tamperings of the second adversarial review, one line each, and the
one contract every one of them must meet (:func:`assert_contract`), on SQLite and PostgreSQL.

Who tampers: the **DBA** — the database's owner (SQLite: whoever can write the file), holding no
key, who knows the public chain's formula and recomputes it; an **officer** login on PostgreSQL
with ``psql`` (on SQLite the file's writer does the same), whose chain rows carry a MAC made up or
— since every client holds the cache key the ledger key derives from — the one his own client's
keys make; a **careless** user. What is checked, with the keys, by the admin's client — which
exported the store's figures before the tampering, so it remembers the head it authenticated,
unless the line says a fresh client checks:

(i)  ``caseledger verify`` (``verify --deep`` for a cache-only tampering) exits non-zero naming
     the position (or the cache) — or, for an event the program would have refused or one
     inserted with no chain row (F3, F4, F12), lists it as quarantined; and still does after the
     exports (nothing laundered);
(ii) no forged or partial figure is exported with exit 0: ``export workload`` and ``export
     addon_burden`` either exit non-zero, naming the position (or the cache), with no figure on
     standard output, or exit 0 with exactly the figures of the store as it should be — the
     untampered seed; for a quarantined event, the store it was never inserted into; for a
     cache-only tampering, the same figures repaired from the log.

The one tampering allowed to pass is a rollback to an older authentic copy when no client has
seen the newer state: then (ii) holds with the older copy's figures.

Positions in the seed (tests/tamper/conftest.py): 62 is po.diaz's add-on task (vehicle
maintenance, 150 minutes, 2026-03-17: in both exports); 12 and 14 off-001's and off-002's first
assignments; 1 the admin's ``SiteRegistered`` of Bath Institution (on-hyb); 71 po.adams's
retraction of a duplicate; 75–130 off-007's reassignments and 131 po.adams's 60-minute task,
recorded through the application (131 is the head).
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import msgspec
import psycopg
import pytest

from caseledger.domain.integrity.chain import entry_mac, leaf_hash, node_hash
from caseledger.domain.secrets.mac import MAC_SIZE
from caseledger.domain.store.application import open_application
from tests.support.forger import Forger
from tests.support.in_process import Client, Done
from tests.tamper.conftest import AS_OF, EXPORTS, Figures, Seeded, figures, import_lines

pytestmark = pytest.mark.slow  # the matrix: about half a minute a store, past the quick run's budget

EDITED = 62
"""po.diaz's add-on task: 150 minutes of vehicle maintenance in week 2026-W12."""
FORGED_MINUTES = 700
"""What the forger makes of them: a figure the program accepts (at most 720 a task), as in F1."""
SWAPPED = 12
"""off-001's assignment to po.adams; 14 is off-002's (each version 2 of its case)."""


@dataclass(frozen=True)
class Expect:
    """What the contract demands after one tampering."""

    names: tuple[str, ...]
    """What a verdict or a refusal must name (any one): positions, or the cache's table."""
    figures: Figures
    """The only figures an export may give with exit 0."""
    quarantine: bool = False
    """The event may stay in the log, listed as quarantined by ``verify``, instead of failing it."""
    cache: bool = False
    """Only a cache was touched: ``verify --deep`` is the check, and the log repairs it."""
    must_flag: bool = True
    """False only where passing is allowed (a rollback no client has seen; an optional cache deleted)."""


@dataclass(frozen=True)
class Scene:
    """One tampering's store (a copy of the seed), the admin's client, and the seed."""

    store: str
    client: Client
    seed: Seeded
    folder: Path

    @property
    def dba(self) -> Forger:
        return Forger(self.store)

    @property
    def officer(self) -> Forger:
        """po.chen's own database login on PostgreSQL; on SQLite, the file's writer."""
        return Forger(self.store).as_login("po.chen")

    def positions(self, first: int, last: int) -> tuple[str, ...]:
        return tuple(str(position) for position in range(first, last + 1))

    def at(self, *positions: int, quarantine: bool = False) -> Expect:
        return Expect(tuple(map(str, positions)), self.seed.seeded_figures, quarantine=quarantine)

    def cache(self, *names: str) -> Expect:
        return Expect(names, self.seed.seeded_figures, cache=True)


Tamper = Callable[[Scene], Expect]


@dataclass(frozen=True)
class Tampering:
    who: str
    what: str
    do: Tamper
    fresh_client: bool = False
    """The checking client never opened the store before (it remembers nothing of it)."""

    def __str__(self) -> str:
        return f"{self.who}: {self.what}"


# --------------------------------------------------------------------------------------------- #
# The tamperings
# --------------------------------------------------------------------------------------------- #


def _forged_addon(scene: Scene, minutes: object = FORGED_MINUTES, by: str | None = None) -> bytes:
    """The stored bytes of an add-on task like po.diaz's at 62, with other minutes (and recorder)."""
    state = msgspec.json.decode(scene.dba.state(EDITED))
    state["data"]["minutes"] = minutes
    if by is not None:
        state["recorded_by"] = by
        state["data"]["officer"] = by
        state["at_site"] = "on-max"
        state.pop("entered_by", None)
    return msgspec.json.encode(state)


def edit_event(scene: Scene) -> Expect:
    scene.dba.edit(EDITED, b'"minutes":150', b'"minutes":%d' % FORGED_MINUTES)
    return scene.at(EDITED)


def edit_event_and_rechain(scene: Scene) -> Expect:
    """F1 laundering: the chain recomputed from the edit on."""
    edit_event(scene)
    scene.dba.rechain(EDITED)
    return scene.at(EDITED)


def drop_seals_edit_and_rechain(scene: Scene) -> Expect:
    """F1 with ``DROP TABLE cl_seals`` first: not even the warning on today's main."""
    scene.dba.sql("DROP TABLE cl_seals")
    return edit_event_and_rechain(scene)


def delete_event(scene: Scene) -> Expect:
    scene.dba.delete_event(EDITED)
    return scene.at(EDITED)


def delete_event_and_chain_row(scene: Scene) -> Expect:
    scene.dba.delete_event(EDITED)
    scene.dba.sql("DELETE FROM cl_chain WHERE position = %s", (EDITED,))
    return scene.at(EDITED, EDITED + 1)


def delete_event_renumber_and_rechain(scene: Scene) -> Expect:
    """The event gone without a gap: later events moved down one, the chain recomputed."""
    scene.dba.delete_event(EDITED)
    scene.dba.renumber(EDITED + 1, -1)
    scene.dba.rechain(EDITED)
    return scene.at(EDITED)


def swap_events(scene: Scene) -> Expect:
    """Two whole events (off-001's and off-002's first assignments) trade places."""
    scene.dba.swap(SWAPPED, SWAPPED + 2)
    return scene.at(SWAPPED)


def swap_events_and_rechain(scene: Scene) -> Expect:
    swap_events(scene)
    scene.dba.rechain(SWAPPED)
    return scene.at(SWAPPED)


def insert_mid_log_and_rechain(scene: Scene) -> Expect:
    scene.dba.renumber(40, 1)
    scene.dba.insert_event("AddOnTaskLogged", _forged_addon(scene), position=40)
    scene.dba.rechain(40)
    return scene.at(40)


def insert_mid_log_without_chain_rows(scene: Scene) -> Expect:
    scene.dba.renumber(40, 1)
    scene.dba.insert_event("AddOnTaskLogged", _forged_addon(scene), position=40)
    return scene.at(40)


def append_forged_with_chain(scene: Scene) -> Expect:
    """F2: a forged event at the tail, its chain row computed."""
    position = scene.dba.insert_event("AddOnTaskLogged", _forged_addon(scene))
    scene.dba.chain_row_for(position)
    return scene.at(position)


def reattribute_recorder(scene: Scene) -> Expect:
    """F2: another login's name as the event's recorder — on PostgreSQL the owner's
    ``recorded_by`` column, on SQLite the name in the event's bytes."""
    if scene.seed.backend == "postgresql":
        scene.dba.sql("UPDATE caseledger_events SET recorded_by = 'po.chen' WHERE notification_id = %s", (EDITED,))
    else:
        scene.dba.edit(EDITED, b'"recorded_by":"hq.admin"', b'"recorded_by":"po.chen"')
    return scene.at(EDITED)


def rollback_seen(scene: Scene) -> Expect:
    """F2: the older authentic copy put back, after this client saw the newer head."""
    head = scene.dba.head()
    scene.seed.restore(scene.seed.older, scene.store)
    return Expect(scene.positions(scene.dba.head(), head), scene.seed.seeded_figures)


def rollback_unseen(scene: Scene) -> Expect:
    """The one tampering allowed to pass without a checkpoint: no client saw the newer state."""
    scene.seed.restore(scene.seed.older, scene.store)
    return Expect((), scene.seed.older_figures, must_flag=False)


def cut_tail(scene: Scene) -> Expect:
    head = scene.dba.head()
    scene.dba.truncate(head - 3)
    return Expect(scene.positions(head - 3, head), scene.seed.seeded_figures)


def edit_chain(column: str) -> Tamper:
    def tamper(scene: Scene) -> Expect:
        scene.dba.flip_chain_byte(EDITED, column)
        return scene.at(EDITED)

    return tamper


def delete_chain_row(scene: Scene) -> Expect:
    scene.dba.sql("DELETE FROM cl_chain WHERE position = %s", (EDITED,))
    return scene.at(EDITED)


def edit_read_model_row(scene: Scene) -> Expect:
    scene.dba.sql("UPDATE cl_addons SET minutes = %s WHERE position = %s", (FORGED_MINUTES, EDITED))
    return scene.cache("cl_addons")


def delete_read_model_row(scene: Scene) -> Expect:
    [(position,)] = scene.dba.sql("SELECT MIN(position) FROM cl_timeline WHERE position >= 20")
    scene.dba.sql("DELETE FROM cl_timeline WHERE position = %s", (position,))
    return scene.cache("cl_timeline")


def insert_read_model_row(scene: Scene) -> Expect:
    """A copy of po.diaz's add-on row at a position where no add-on is (its MAC copied too)."""
    columns = [name for name in scene.dba.columns("cl_addons") if name != "position"]
    listed = ", ".join(columns)
    scene.dba.sql(f"INSERT INTO cl_addons (position, {listed}) SELECT 61, {listed} FROM cl_addons WHERE position = %s", (EDITED,))
    return scene.cache("cl_addons")


def edit_seal(scene: Scene) -> Expect:
    scene.dba.sql("UPDATE cl_seals SET rows = rows + 1 WHERE name = 'cl_addons'")
    return scene.cache("cl_addons", "seal")


def delete_seal(scene: Scene) -> Expect:
    scene.dba.sql("DELETE FROM cl_seals WHERE name = 'cl_addons'")
    return scene.cache("cl_addons", "seal")


def insert_forged_seal(scene: Scene) -> Expect:
    """The add-ons' seal replaced by one the forger wrote (its MAC made up), over edited rows."""
    scene.dba.sql("UPDATE cl_addons SET minutes = %s WHERE position = %s", (FORGED_MINUTES, EDITED))
    [row] = scene.dba.sql("SELECT position, head, rows, digest FROM cl_seals WHERE name = 'cl_addons'")
    scene.dba.sql("DELETE FROM cl_seals WHERE name = 'cl_addons'")
    scene.dba.sql("INSERT INTO cl_seals (name, position, head, rows, digest, mac) VALUES ('cl_addons', %s, %s, %s, %s, %s)", (*row, os.urandom(16)))
    return scene.cache("cl_addons", "seal")


def drop_seal_table(scene: Scene) -> Expect:
    scene.dba.sql("DROP TABLE cl_seals")
    return scene.cache("cl_seals", "seal")


def edit_tracking(scene: Scene) -> Expect:
    """The add-ons' tracking row moved back: the projector would apply the last events twice."""
    scene.dba.sql("UPDATE cl_tracking SET position = position - 10 WHERE name = 'addons'")
    return scene.cache("addons", "tracking")


def delete_tracking(scene: Scene) -> Expect:
    scene.dba.sql("DELETE FROM cl_tracking WHERE name = 'addons'")
    return scene.cache("addons", "tracking")


def insert_tracking_ahead(scene: Scene) -> Expect:
    """The add-ons' tracking row replaced by one past the head (as if the log had been cut)."""
    scene.dba.sql("DELETE FROM cl_tracking WHERE name = 'addons'")
    scene.dba.sql("INSERT INTO cl_tracking (name, position) VALUES ('addons', %s)", (scene.dba.head() + 5,))
    return scene.cache("addons", "tracking")


def edit_world_snapshot(scene: Scene) -> Expect:
    [(boundary, excluded)] = scene.dba.sql("SELECT boundary_us, excluded FROM cl_snapshots ORDER BY boundary_us DESC LIMIT 1")
    scene.dba.sql("UPDATE cl_snapshots SET excluded = %s WHERE boundary_us = %s", (excluded + " ", boundary))
    return scene.cache("cl_snapshots", "snapshot")


def delete_world_snapshot(scene: Scene) -> Expect:
    scene.dba.sql("DELETE FROM cl_snapshots WHERE boundary_us = (SELECT MAX(boundary_us) FROM cl_snapshots)")
    return scene.cache("cl_snapshots", "snapshot")


def insert_world_snapshot(scene: Scene) -> Expect:
    """A copy of the newest world snapshot, one microsecond later (its MAC copied too)."""
    columns = [name for name in scene.dba.columns("cl_snapshots") if name != "boundary_us"]
    listed = ", ".join(columns)
    scene.dba.sql(
        f"INSERT INTO cl_snapshots (boundary_us, {listed}) SELECT boundary_us + 1, {listed} FROM cl_snapshots "
        "WHERE boundary_us = (SELECT MAX(boundary_us) FROM cl_snapshots)"
    )
    return scene.cache("cl_snapshots", "snapshot")


def _snapshots(scene: Scene) -> str:
    return "caseledger_snapshots" if scene.seed.backend == "postgresql" else "stored_snapshots"


def edit_aggregate_snapshot(scene: Scene) -> Expect:
    """off-007's case snapshot with its state edited (its site), its MAC bytes left as they were."""
    table = _snapshots(scene)
    [(originator, version, state)] = scene.dba.sql(f"SELECT originator_id, originator_version, state FROM {table}")
    sealed = bytes(state)
    envelope = msgspec.json.decode(sealed[MAC_SIZE:])
    envelope["state"]["site"] = "on-max"
    forged = sealed[:MAC_SIZE] + msgspec.json.encode(envelope)
    scene.dba.sql(f"UPDATE {table} SET state = %s WHERE originator_id = %s AND originator_version = %s", (forged, originator, version))
    return scene.cache("snapshot", table)


def delete_aggregate_snapshot(scene: Scene) -> Expect:
    """Harmless: the aggregate is replayed from its events (flagging it is not required)."""
    scene.dba.sql(f"DELETE FROM {_snapshots(scene)}")
    return Expect(("snapshot", _snapshots(scene)), scene.seed.seeded_figures, cache=True, must_flag=False)


def insert_aggregate_snapshot(scene: Scene) -> Expect:
    """A copy of off-007's case snapshot at a newer version (its MAC copied: it covered version 50)."""
    table = _snapshots(scene)
    [(originator, version, topic, state)] = scene.dba.sql(f"SELECT originator_id, originator_version, topic, state FROM {table}")
    scene.dba.sql(f"INSERT INTO {table} (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)", (originator, version + 5, topic, state))
    return scene.cache("snapshot", table)


def refused_event_with_chain_row(scene: Scene, *, keyed: bool = False) -> Expect:
    """F3: an event the program refuses (``"minutes": "lots"``), its chain row computed."""
    officer = scene.officer
    position = officer.insert_event("AddOnTaskLogged", _forged_addon(scene, "lots", by="po.chen"))
    _try_chain_row(scene, position, keyed=keyed)
    return scene.at(position, quarantine=True)


def retract_admins_site(scene: Scene, *, keyed: bool = False) -> Expect:
    """F4: po.chen retracts the admin's ``SiteRegistered`` (position 1) by hand, chain row and all."""
    state = msgspec.json.decode(scene.dba.state(71))
    state.update(recorded_by="po.chen", at_site="on-max", data={"position": 1, "reason": "closed"})
    state.pop("entered_by", None)
    position = scene.officer.insert_event("EventRetracted", msgspec.json.encode(state))
    _try_chain_row(scene, position, keyed=keyed)
    return scene.at(position, quarantine=True)


def _try_chain_row(scene: Scene, position: int, *, keyed: bool) -> None:
    """The officer's chain row for the event, its MAC made up — or, ``keyed``, computed under the
    ledger key his own client holds (derived from the cache key every client has), for the
    recorder the store proves (PostgreSQL: his login; SQLite: none, it is in the event's bytes).
    A database that refuses the row leaves the event unchained."""
    officer = scene.officer
    mac = None
    if keyed:
        with scene.client.environment():
            key = open_application(scene.store).ledger_key
        leaf = leaf_hash(position, *officer.event(position))
        mac = entry_mac(key, position, node_hash(officer.chain_head(position - 1), leaf), "po.chen" if officer.postgres else None)
    try:
        officer.chain_row_for(position, mac=mac)
    except (psycopg.Error, sqlite3.Error) as refused:  # the attempt is the tampering: what the database lets stand is tested
        assert "cl_chain" in str(refused) or "permission" in str(refused) or "violates" in str(refused), refused


def with_the_keys(tamper: Callable[..., Expect]) -> Tamper:
    return functools.partial(tamper, keyed=True)


ADDON_LINE: dict[str, object] = {"type": "AddOnTaskLogged", "occurred_at": "2026-03-19", "officer": "po.adams", "category": "clerical", "minutes": 33}


def unchained_event_then_more(scene: Scene) -> Expect:
    """F12: po.chen inserts a valid-looking event with no chain row; the admin then imports an
    add-on task through the program (so the unchained event is mid-log). Expected: the figures of
    the seed with only the admin's add-on imported."""
    position = scene.officer.insert_event("AddOnTaskLogged", _forged_addon(scene, 240, by="po.chen"))
    import_lines(scene.client, scene.store, [ADDON_LINE], scene.folder)
    twin = scene.seed.copy(scene.seed.seeded, f"twin_{scene.folder.name[-20:].lower()}")
    import_lines(scene.client, twin, [ADDON_LINE], scene.folder)
    return Expect((str(position),), figures(scene.client, twin), quarantine=True)


def drop_read_model_table(scene: Scene) -> Expect:
    scene.dba.sql("DROP TABLE cl_timeline")
    return scene.cache("cl_timeline", "timeline")


def restore_read_models_from_backup(scene: Scene) -> Expect:
    """The add-ons read model and its seal copied back from the older copy (authentic rows, MACs
    under the same cache key, sealed at an older head)."""
    older = Forger(scene.seed.older)
    for table, key in (("cl_addons", None), ("cl_seals", "cl_addons")):
        columns = older.columns(table)
        rows = older.sql(f"SELECT {', '.join(columns)} FROM {table}" + (" WHERE name = %s" if key else ""), (key,) if key else ())
        scene.dba.sql(f"DELETE FROM {table}" + (" WHERE name = %s" if key else ""), (key,) if key else ())
        for row in rows:
            scene.dba.sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})", row)
    return scene.cache("cl_addons", "seal")


TAMPERINGS = [
    Tampering("DBA", "edit an event's bytes", edit_event),
    Tampering("DBA", "edit an event, recompute the chain from there (F1)", edit_event_and_rechain),
    Tampering("DBA", "edit an event, recompute the chain; a fresh client checks (F1)", edit_event_and_rechain, fresh_client=True),
    Tampering("DBA", "drop cl_seals, edit an event, recompute the chain (F1)", drop_seals_edit_and_rechain),
    Tampering("DBA", "delete an event", delete_event),
    Tampering("DBA", "delete an event and its chain row", delete_event_and_chain_row),
    Tampering("DBA", "delete an event, renumber the rest, recompute the chain", delete_event_renumber_and_rechain),
    Tampering("DBA", "swap two events", swap_events),
    Tampering("DBA", "swap two events, recompute the chain", swap_events_and_rechain),
    Tampering("DBA", "insert an event mid-log, recompute the chain", insert_mid_log_and_rechain),
    Tampering("DBA", "insert an event mid-log, chain untouched", insert_mid_log_without_chain_rows),
    Tampering("DBA", "append a forged event with its chain row (F2)", append_forged_with_chain),
    Tampering("DBA", "append a forged event with its chain row; a fresh client checks (F2)", append_forged_with_chain, fresh_client=True),
    Tampering("DBA", "re-attribute an event to another login (F2)", reattribute_recorder),
    Tampering("DBA", "roll back to an older copy a client has seen past (F2)", rollback_seen),
    Tampering("DBA", "roll back to an older copy no client has seen past (allowed)", rollback_unseen, fresh_client=True),
    Tampering("DBA", "cut the tail", cut_tail),
    Tampering("DBA", "edit a chain row's leaf", edit_chain("leaf")),
    Tampering("DBA", "edit a chain row's head", edit_chain("head")),
    Tampering("DBA", "edit a chain row's MAC", edit_chain("mac")),
    Tampering("DBA", "delete a chain row", delete_chain_row),
    Tampering("DBA", "edit a read-model row", edit_read_model_row),
    Tampering("DBA", "delete a read-model row", delete_read_model_row),
    Tampering("DBA", "insert a read-model row", insert_read_model_row),
    Tampering("DBA", "edit a seal", edit_seal),
    Tampering("DBA", "delete a seal", delete_seal),
    Tampering("DBA", "insert a forged seal over edited rows", insert_forged_seal),
    Tampering("DBA", "drop the seal table", drop_seal_table),
    Tampering("DBA", "edit a tracking row", edit_tracking),
    Tampering("DBA", "delete a tracking row", delete_tracking),
    Tampering("DBA", "insert a tracking row past the head", insert_tracking_ahead),
    Tampering("DBA", "edit a world snapshot", edit_world_snapshot),
    Tampering("DBA", "delete a world snapshot", delete_world_snapshot),
    Tampering("DBA", "insert a world snapshot", insert_world_snapshot),
    Tampering("DBA", "edit an aggregate snapshot", edit_aggregate_snapshot),
    Tampering("DBA", "delete an aggregate snapshot", delete_aggregate_snapshot),
    Tampering("DBA", "insert an aggregate snapshot", insert_aggregate_snapshot),
    Tampering("officer", "insert an event the program refuses, with its chain row (F3)", refused_event_with_chain_row),
    Tampering(
        "officer", "insert an event the program refuses, with its chain row and MAC: he holds a client's keys (F3)", with_the_keys(refused_event_with_chain_row)
    ),
    Tampering("officer", "retract the admin's SiteRegistered by hand (F4)", retract_admins_site),
    Tampering("officer", "retract the admin's SiteRegistered by hand, with a MAC: he holds a client's keys (F4)", with_the_keys(retract_admins_site)),
    Tampering("officer", "insert an event with no chain row, more recorded after it (F12)", unchained_event_then_more),
    Tampering("careless", "drop a read-model table", drop_read_model_table),
    Tampering("careless", "restore a read model and its seal from an older backup", restore_read_models_from_backup),
]


# --------------------------------------------------------------------------------------------- #
# The contract
# --------------------------------------------------------------------------------------------- #


def _names(said: str, names: tuple[str, ...]) -> bool:
    """Whether ``said`` names one of ``names`` as a word (position 62, not 620 or 2026-03-62)."""
    return any(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", said) for name in names)


def flagged(done: Done, expect: Expect, when: str) -> list[str]:
    """(i): a non-zero verdict naming the position or cache, or the event listed as quarantined;
    what falls short of it."""
    quarantined = expect.quarantine and "quarantin" in done.said.lower()
    if done.returncode == 0 and not quarantined:
        return [f"(i) {when}: verify passed the tampered store: {done.said.strip()!r}"]
    if not _names(done.said, expect.names):
        return [f"(i) {when}: verify exit {done.returncode} names none of {expect.names}: {done.said.strip()!r}"]
    return []


def exported(done: Done, projection: str, expect: Expect) -> list[str]:
    """(ii): exit 0 with exactly the expected figures, or non-zero naming the position or cache
    with no figure written; what falls short of it."""
    if "Traceback" in done.stderr:
        return [f"(ii) export {projection}: a traceback"]
    if done.returncode == 0:
        if done.stdout != expect.figures[projection]:
            wrong = set(done.stdout.splitlines()) ^ set(expect.figures[projection].splitlines())
            return [f"(ii) export {projection}: exit 0 with forged or partial figures (rows differing: {sorted(wrong)})"]
        return []
    problems = []
    if done.stdout.count("\n") > 1:
        problems.append(f"(ii) export {projection}: exit {done.returncode} after writing figures")
    if not _names(done.stderr, expect.names):
        problems.append(f"(ii) export {projection}: exit {done.returncode} names none of {expect.names}: {done.stderr.strip()!r}")
    return problems


def assert_contract(client: Client, store: str, expect: Expect) -> None:
    """Issue #23's contract after a tampering: (i) flagged, naming it, before and after the
    exports; (ii) no forged or partial figure exported with exit 0. Every shortfall is listed."""
    check = ("verify", "--deep") if expect.cache else ("verify",)
    problems = flagged(client.run(store, *check), expect, "before any export") if expect.must_flag else []
    for projection in EXPORTS:
        problems += exported(client.run(store, "export", projection, "--as-of", AS_OF), projection, expect)
    if expect.must_flag and not expect.cache:  # a cache is repaired by then; the log's evidence stays
        problems += flagged(client.run(store, *check), expect, "after the exports")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("tampering", TAMPERINGS, ids=str)
def test_a_tampering_is_flagged_and_exports_no_forged_figure(tampering: Tampering, seeded: Seeded, tmp_path: Path) -> None:
    store = seeded.copy(seeded.seeded, f"case_{tmp_path.name[-24:].lower()}")
    client = seeded.client(tmp_path / "config")
    if not tampering.fresh_client:  # the client has seen the store's figures: it authenticated its head
        seen = client.run(store, "export", "workload", "--as-of", AS_OF)
        assert seen.returncode == 0 and seen.stdout == seeded.seeded_figures["workload"], seen.said
    expect = tampering.do(Scene(store, client, seeded, tmp_path))
    assert_contract(client, store, expect)
