"""Shared pytest fixtures: a throwaway PostgreSQL 15 cluster and store URLs.

The PostgreSQL cluster (:mod:`tests.support.postgres`) is started once per test session, lazily —
only when a test needs it — and removed at the end. If the server binaries are missing the
PostgreSQL tests fail with a clear message; they are never skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.support.cli import SPAWNING
from tests.support.postgres import ClusterUnavailable, PostgresServer, throwaway_cluster
from tests.support.stores import NewStore

settings.register_profile(
    "ci",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _unique_db_name() -> str:
    return f"t_{uuid.uuid4().hex[:12]}"


@pytest.fixture(autouse=True)
def _exports_in_a_test_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The TUI writes exports into the user's documents folder unless ``CASELEDGER_EXPORT_DIR``
    says otherwise: no test writes into the home folder of whoever runs it."""
    monkeypatch.setenv("CASELEDGER_EXPORT_DIR", str(tmp_path_factory.mktemp("exports")))


# --------------------------------------------------------------------------- #
# Store URL fixtures
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL cluster for the whole session (started on first use)."""
    try:
        with throwaway_cluster() as server:
            yield server
    except ClusterUnavailable as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    # SQLAlchemy convention: path is everything after "sqlite:///", so an
    # absolute path yields four slashes.
    return f"sqlite:///{tmp_path}/ledger.db"


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    return postgres_server.create_database(_unique_db_name())


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/ledger.db"
    # Request the server lazily so sqlite-only runs never start PostgreSQL.
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(_unique_db_name())


@pytest.fixture(params=["sqlite", "postgresql"])
def new_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> NewStore:
    """A factory of fresh, empty store URLs on one backend (for tests that need several stores,
    e.g. one per hypothesis example)."""
    if request.param == "sqlite":
        return lambda: f"sqlite:///{tmp_path_factory.mktemp('store')}/ledger.db"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return lambda: server.create_database(_unique_db_name())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that runs on PostgreSQL ``postgres`` (so ``-m "not postgres"`` is a quick,
    server-free run)."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and "postgresql" in callspec.params.values()
        if on_postgres or {"postgres_server", "postgres_url"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Let only a test marked ``slow`` start the command line (:func:`tests.support.cli.run_cli`),
    its fixtures included: a process costs seconds, and the quick run (``-m "not slow"``) must stay
    quick as tests are added."""
    SPAWNING.allowed = item.get_closest_marker("slow") is not None
