"""The Merkle log on a PostgreSQL store with roles, before and after its owner brings it to store
format 6: a user login (a member of ``caseledger_user``) records in a store whose tree is not built
yet, and adds no leaves; the owner's opening with the store's keys builds the tree from every
chained event and grants the user role its inserts; the user's next events are leaves of it. At
every step the stored tree is the one an auditor computes from ``caseledger events``
(:mod:`tests.support.auditor_tree`), and the user login may add to the tree, never change it.

The store "before format 6" is made as its owner would find a store written by the release
before: the tree's tables dropped and ``cl_format`` set back to 5, after ``init-roles`` (so the
grants of format 6 come from the migration, not from ``init-roles``).

Hand-worked: the scenario imported by the owner is 72 events, and the owner's grant of po.adams
(``RoleGranted``, ``UserLinked``) makes 74; po.adams's add-on tasks are 75, 76, … — every event
is chained, so after the migration leaf *i* is position *i* + 1.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest
from psycopg import sql

from caseledger.application.ledger import Ledger
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.clock import Clock
from tests.support.auditor_tree import canonical_leaves, kept_nodes, leaf_hash, own_position
from tests.support.in_process import Client
from tests.support.paths import SCENARIO
from tests.support.postgres import PostgresServer
from tests.support.tui_helpers import NOW

USER = "po.adams"
TREE_TABLES = ("cl_tree_leaves", "cl_tree_nodes")


@pytest.fixture(autouse=True)
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One user config folder (the cache key) for every login of the test: the owner's and the
    user's clients hold the same keys, as the store's people do."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config"


def as_login(url: str, login: str) -> str:
    """The store's URL with ``login`` as its database login (the cluster trusts local logins)."""
    parsed = urlparse(url)
    return urlunparse(parsed._replace(netloc=f"{login}@{parsed.netloc.rsplit('@', 1)[1]}"))


def owner_sql(url: str, statement: str) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)


def ok(client: Client, url: str, *args: str) -> str:
    done = client.run(url, *args)
    assert done.returncode == 0, done.said
    return done.stdout


@pytest.fixture
def store(postgres_server: PostgresServer, config: Path) -> Iterator[str]:
    """A store at format 6 with roles: the scenario imported by its owner, po.adams a user login
    (``init-roles --user``) and an officer linked to himself."""
    url = postgres_server.create_database(f"merkle_roles_{uuid.uuid4().hex[:12]}")
    owner = Client("owner", config)
    ok(owner, url, "import", str(SCENARIO))
    with psycopg.connect(url, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (USER,)).fetchone() is None:
            connection.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(USER)))
    ok(owner, url, "admin", "init-roles", "--user", USER)
    ok(owner, url, "admin", "grant", USER, "officer")
    ok(owner, url, "admin", "link", USER, USER)
    yield url


def back_to_format_5(url: str) -> None:
    """The store as the release before format 6 left it: no tree tables, format 5."""
    owner_sql(url, "DROP TABLE cl_tree_leaves, cl_tree_nodes")
    owner_sql(url, "UPDATE cl_format SET version = 5 WHERE id = 1")


def tables(url: str) -> set[str]:
    with psycopg.connect(url) as connection:
        return {str(name) for (name,) in connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()}


def store_format(url: str) -> int:
    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT version FROM cl_format WHERE id = 1").fetchone()
    assert row is not None
    return int(row[0])


def user_ledger(url: str) -> Ledger:
    """po.adams's client, as the TUI holds it (one Ledger for the whole session)."""
    return Ledger.open(as_login(url, USER), clock=Clock(NOW))


def addon(ledger: Ledger, minutes: int) -> int:
    recorded = ledger.record(p.AddOnTaskLogged(officer=USER, category="clerical", minutes=minutes), "2026-03-20")
    return recorded.position


def assert_the_auditors_tree(url: str, config: Path) -> int:
    """The stored leaves (index, position, hash) and kept nodes are the ones the owner's export
    gives; the number of leaves."""
    lines = ok(Client("owner", config), url, "events").encode().splitlines()
    hashes = [leaf_hash(leaf) for leaf in canonical_leaves(lines)]
    with psycopg.connect(url) as connection:
        leaves = [(int(i), int(at), bytes(h)) for i, at, h in connection.execute("SELECT idx, position, leaf FROM cl_tree_leaves ORDER BY idx").fetchall()]
        nodes = [(int(lv), int(i), bytes(h)) for lv, i, h in connection.execute("SELECT level, idx, hash FROM cl_tree_nodes ORDER BY level, idx").fetchall()]
    assert [(idx, position) for idx, position, _ in leaves] == [(index, own_position(json.loads(line))) for index, line in enumerate(lines)]
    assert [leaf for _, _, leaf in leaves] == hashes
    assert nodes == kept_nodes(hashes)
    return len(hashes)


def verified(url: str, config: Path) -> str:
    done = Client("owner", config).run(url, "verify")
    assert done.returncode == 0 and "not checked" not in done.stderr, done.said
    return done.stdout


def test_a_user_records_before_and_after_the_owner_builds_the_tree(store: str, config: Path) -> None:
    back_to_format_5(store)
    first = user_ledger(store)
    assert [addon(first, 10), addon(first, 11)] == [75, 76]  # recorded: no leaves, no tree tables made
    assert not set(TREE_TABLES) & tables(store)

    Ledger.open(store, clock=Clock(NOW))  # the owner's client, with the store's keys: format 6
    assert store_format(store) == 6
    assert assert_the_auditors_tree(store, config) == 76

    assert addon(user_ledger(store), 12) == 77  # a new client of the user's: a leaf, by the user role's grant
    assert assert_the_auditors_tree(store, config) == 77
    assert "intact: 77 events" in verified(store, config)


def test_a_client_open_while_the_owner_builds_the_tree_adds_its_leaves_afterwards(store: str, config: Path) -> None:
    back_to_format_5(store)
    session = user_ledger(store)
    assert addon(session, 10) == 75
    Ledger.open(store, clock=Clock(NOW))  # the owner migrates while po.adams's session stays open
    assert addon(session, 11) == 76
    assert assert_the_auditors_tree(store, config) == 76


def test_a_user_records_in_a_format_5_store_whose_owner_verified_it_without_keys(store: str, config: Path) -> None:
    """The owner's ``verify`` opens the store without its keys: the library creates the tree's
    tables (empty) but the migration stops before format 5's step, which needs the ledger key —
    so the store is still at format 5, its tree unbuilt, and the user role has no grant on the
    new tables yet. The user must still record (adding no leaves); the owner's next keyed opening
    builds the tree."""
    back_to_format_5(store)
    keyless = Client("owner", config).run(store, "verify")
    assert keyless.returncode == 0 and "the Merkle log was not checked" in keyless.stderr, keyless.said
    assert store_format(store) == 5 and set(TREE_TABLES) <= tables(store)
    assert addon(user_ledger(store), 10) == 75
    Ledger.open(store, clock=Clock(NOW))
    assert assert_the_auditors_tree(store, config) == 75


@pytest.mark.parametrize("statement", ["UPDATE {} SET {} = {}", "DELETE FROM {} WHERE {} = {}"])
def test_after_the_migration_a_user_login_adds_to_the_tree_and_changes_nothing_in_it(store: str, config: Path, statement: str) -> None:
    back_to_format_5(store)
    Ledger.open(store, clock=Clock(NOW))
    assert addon(user_ledger(store), 10) == 75
    with psycopg.connect(as_login(store, USER), autocommit=True) as connection:
        for table, column in (("cl_tree_leaves", "leaf"), ("cl_tree_nodes", "hash")):
            query = sql.SQL(statement).format(sql.Identifier(table), sql.Identifier(column), sql.Identifier(column))
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute(query)
    assert assert_the_auditors_tree(store, config) == 75
