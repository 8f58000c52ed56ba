"""Writes authenticated by the ledger key (issue #23, point 1): every chain entry carries a MAC the
database cannot make, so ``verify`` with the key names an event edited, inserted, appended,
re-attributed or re-chained by someone without it — no checkpoint needed — and every break, not
only the first.

Worked by hand on the shared scenario (the ``ledger`` fixture: 74 events; see tests/domain/conftest.py):

* a DBA appends a copy of event 74 as event 75 and computes its chain entry as the formula says
  (leaf, head): the public chain is whole, the entry has no MAC → ``verify`` with the key: one
  break at 75, "carries no MAC"; given a made-up MAC instead: "not the ledger key's".
* the DBA edits event 40 and re-chains 40…74 (``rewrite_consistently`` without the key): the heads
  all follow, the MACs of 40…74 do not → one range, "positions 40–74 (35 entries)".
* an event inserted without a chain entry (position 75) *and* event 30's bytes changed: two
  breaks, 30 then 75 — today's walk no longer stops at the first.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseledger.domain.integrity.chain import chain_rows
from caseledger.domain.integrity.verify import EDITED, FORGED_MAC, NO_MAC, UNCHAINED, verify
from caseledger.domain.store.application import LedgerApplication, open_application
from tests.domain.conftest import scenario_ledger
from tests.support.tampering import rewrite_consistently, sql

EVENTS = "stored_events"
SCENARIO_EVENTS = 74
"""The ``ledger`` fixture's events (the scenario's 72 lines, an add-on task, a retraction)."""


def _table(url: str) -> tuple[str, str]:
    return (EVENTS, "rowid") if url.startswith("sqlite") else ("caseledger_events", "notification_id")


def append_copy(url: str, *, mac: bytes | None) -> int:
    """Append a copy of the last event (the next version of its aggregate) with a chain entry whose
    leaf and head are right and whose MAC is ``mac``: what a DBA without the key can do."""
    table, position_column = _table(url)
    [(last, originator, version, topic, state)] = sql(
        url, f"SELECT {position_column}, originator_id, originator_version, topic, state FROM {table} ORDER BY {position_column} DESC LIMIT 1"
    )
    sql(url, f"INSERT INTO {table} (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)", (originator, version + 1, topic, state))
    [(previous,)] = sql(url, "SELECT head FROM cl_chain WHERE position = %s", (last,))
    [(position, leaf, head, _)] = chain_rows(bytes(previous), [(last + 1, str(originator), version + 1, topic, bytes(state), None)], None)
    sql(url, "INSERT INTO cl_chain (position, leaf, head, mac) VALUES (%s, %s, %s, %s)", (position, leaf, head, mac))
    return position


def test_an_event_appended_without_the_key_is_named(ledger: tuple[str, LedgerApplication]) -> None:
    url, app = ledger
    head = app.head_position()
    assert verify(app, key=app.ledger_key).ok
    position = append_copy(url, mac=None)
    assert position == head + 1
    public = verify(open_application(url, payloads=False))
    assert public.ok and not public.macs_checked  # the public chain alone cannot tell
    keyed = verify(app, key=app.ledger_key)
    assert [(found.first, found.last, found.reason) for found in keyed.breaks] == [(position, position, NO_MAC)]


def test_an_event_appended_with_a_made_up_mac_is_named(ledger: tuple[str, LedgerApplication]) -> None:
    url, app = ledger
    position = append_copy(url, mac=random.Random(7).randbytes(16))
    keyed = verify(app, key=app.ledger_key)
    assert [(found.first, found.reason) for found in keyed.breaks] == [(position, FORGED_MAC)]


def test_an_edit_rechained_without_the_key_is_named_from_the_edit_on(ledger: tuple[str, LedgerApplication]) -> None:
    url, app = ledger
    head = app.head_position()
    [(state,)] = sql(url, f"SELECT state FROM {_table(url)[0]} WHERE {_table(url)[1]} = 40")
    rewrite_consistently(url, 40, bytes(state)[:12], bytes(state)[:12].replace(b'"', b"'", 1))
    assert verify(open_application(url, payloads=False)).ok  # F1: the public chain was recomputed
    keyed = verify(app, key=app.ledger_key)
    assert [(found.first, found.last, found.count, found.reason) for found in keyed.breaks] == [(40, head, head - 39, FORGED_MAC)]
    assert keyed.events == 39


def test_every_break_is_named_not_only_the_first(ledger: tuple[str, LedgerApplication]) -> None:
    url, app = ledger
    table, position_column = _table(url)
    head = app.head_position()
    [(originator, version, topic, state)] = sql(
        url, f"SELECT originator_id, originator_version, topic, state FROM {table} WHERE {position_column} = %s", (head,)
    )
    sql(url, f"INSERT INTO {table} (originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s)", (originator, version + 1, topic, state))
    [(edited,)] = sql(url, f"SELECT state FROM {table} WHERE {position_column} = 30")
    sql(url, f"UPDATE {table} SET state = %s WHERE {position_column} = 30", (bytes(edited).replace(b'"', b"'", 1),))
    keyed = verify(app, key=app.ledger_key)
    assert [(found.first, found.reason) for found in keyed.breaks] == [(30, EDITED), (head + 1, UNCHAINED)]
    assert keyed.unchained == [head + 1]
    assert keyed.events == head - 1


@pytest.mark.postgres
def test_a_reattributed_event_is_named(postgres_ledger: tuple[str, LedgerApplication]) -> None:
    """F2 on PostgreSQL: the owner names another login as an event's recorder; the chain's bytes
    are untouched (``recorded_by`` is a column beside them), its MAC covers the recorder."""
    url, app = postgres_ledger
    sql(url, "ALTER TABLE caseledger_events DISABLE TRIGGER USER")
    sql(url, "UPDATE caseledger_events SET recorded_by = 'someone_else' WHERE notification_id = 50")
    keyed = verify(app, key=app.ledger_key)
    assert [(found.first, found.reason) for found in keyed.breaks] == [(50, FORGED_MAC)]


@pytest.fixture
def postgres_ledger(postgres_url: str) -> tuple[str, LedgerApplication]:
    return scenario_ledger(postgres_url)


@pytest.fixture(scope="module")
def sqlite_scenario(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """The scenario in a SQLite file made once, and its ledger key (copied per example)."""
    path = tmp_path_factory.mktemp("macs") / "ledger.db"
    _, app = scenario_ledger(f"sqlite:///{path}")
    sql(f"sqlite:///{path}", "PRAGMA wal_checkpoint(TRUNCATE)")
    assert app.head_position() == SCENARIO_EVENTS
    return path, app.ledger_key


@settings(max_examples=25, deadline=None)
@given(
    st.sets(st.integers(min_value=1, max_value=SCENARIO_EVENTS), max_size=6),
    st.sets(st.integers(min_value=1, max_value=SCENARIO_EVENTS), max_size=6),
    st.binary(min_size=16, max_size=16),
)
def test_verify_names_exactly_the_entries_whose_mac_was_touched(
    sqlite_scenario: tuple[Path, bytes], tmp_path_factory: pytest.TempPathFactory, removed: set[int], replaced: set[int], made_up: bytes
) -> None:
    """On a copy of a real store: entries whose MAC a DBA removed or replaced (by any 16 bytes)
    are named, each once, in position order, and nothing else is."""
    original, key = sqlite_scenario
    replaced -= removed
    copy = tmp_path_factory.mktemp("copy") / "ledger.db"
    shutil.copyfile(original, copy)
    url = f"sqlite:///{copy}"
    for position in removed:
        sql(url, "UPDATE cl_chain SET mac = NULL WHERE position = %s", (position,))
    for position in replaced:
        [(mac,)] = sql(url, "SELECT mac FROM cl_chain WHERE position = %s", (position,))
        sql(url, "UPDATE cl_chain SET mac = %s WHERE position = %s", (made_up if made_up != bytes(mac) else bytes(16), position))
    found = verify(open_application(url, payloads=False), key=key)
    named = [(position, found_break.reason) for found_break in found.breaks for position in range(found_break.first, found_break.last + 1)]
    assert named == sorted([(position, NO_MAC) for position in removed] + [(position, FORGED_MAC) for position in replaced])
    assert found.events == SCENARIO_EVENTS - len(removed) - len(replaced)
