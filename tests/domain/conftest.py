"""Fixtures shared by the domain tests."""

from __future__ import annotations

import pytest

from caseledger.application.imports import import_lines
from caseledger.domain.integrity.verify import verify
from caseledger.domain.store.application import LedgerApplication, open_application
from tests.support.commands import ScriptedService
from tests.support.paths import SCENARIO


@pytest.fixture
def ledger(store_url: str) -> tuple[str, LedgerApplication]:
    return scenario_ledger(store_url)


def scenario_ledger(store_url: str) -> tuple[str, LedgerApplication]:
    """The shared scenario imported into the store at ``store_url``, one add-on task and one retraction after it (85 events)."""
    app = open_application(store_url)
    import_lines(app, SCENARIO.read_bytes().splitlines(), "importer")
    service = ScriptedService(app, "importer")  # the store's first user: an admin
    service.log_addon_task("po.brown", "clerical", 20, occurred_at="2026-03-20")  # the command path too
    service.retract(33, "entered twice", occurred_at="2026-03-20")
    assert verify(app).ok
    return store_url, app
