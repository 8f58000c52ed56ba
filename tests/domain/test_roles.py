"""Issue #11 (first slice): who may do what is recorded as events in the chained log.

``UserLinked``, ``RoleGranted`` and ``RoleRevoked`` go to one ``User`` aggregate per login; a
supervisor's role names its site (registered), no other role has one; a link names a registered
officer. Hand-checked: po.chen is linked, granted supervisor of on-hyb and auditor, the auditor
role revoked — po.chen holds {(supervisor, on-hyb)} and is linked to po.chen. Enforcing the
permission table is the next slice; these events are what it will read."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseledger.domain.errors import DomainError
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.aggregates import User, entity_id
from tests.support.cli import refused, run_cli, verified
from tests.support.paths import SCENARIO
from tests.support.world import open_ledger, seed_world


def test_roles_and_links_are_events_of_one_user(store_url: str) -> None:
    app, service = open_ledger(store_url)
    seed_world(service)
    for data in (
        p.UserLinked(user="pat", officer="po1"),
        p.RoleGranted(user="pat", role="supervisor", site="KP"),
        p.RoleGranted(user="pat", role="auditor"),
        p.RoleRevoked(user="pat", role="auditor"),
    ):
        service.record(data, "2026-01-07")
    pat: User = app.repository.get(entity_id(User.KIND, "pat"))
    assert isinstance(pat, User)
    assert (pat.user, pat.officer, pat.roles, pat.version) == ("pat", "po1", frozenset({("supervisor", "KP")}), 4)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (p.RoleGranted(user="pat", role="supervisor"), "site: a supervisor supervises one site: name it"),
        (p.RoleGranted(user="pat", role="analyst", site="KP"), "site: only a supervisor's role has a site; the analyst role has none"),
        (p.RoleGranted(user="pat", role="supervisor", site="NOWHERE"), "site: unknown site 'NOWHERE'"),
        (p.UserLinked(user="pat", officer="nobody"), "officer: unknown officer 'nobody'"),
    ],
)
def test_a_role_or_link_that_breaks_a_rule_is_refused(store_url: str, data: p.Payload, message: str) -> None:
    app, service = open_ledger(store_url)
    seed_world(service)
    head = app.head_position()
    with pytest.raises(DomainError, match=message):
        service.record(data, "2026-01-07")
    assert app.head_position() == head


@pytest.mark.slow
def test_admin_commands_record_them_and_refuse_in_one_line(sqlite_url: str, tmp_path: Path) -> None:
    assert run_cli(sqlite_url, "import", str(SCENARIO)).returncode == 0
    assert run_cli(sqlite_url, "admin", "grant", "chen", "supervisor", "--site", "on-hyb").returncode == 0
    assert run_cli(sqlite_url, "admin", "link", "chen", "po.chen").returncode == 0
    before = verified(sqlite_url)
    refused(run_cli(sqlite_url, "admin", "grant", "chen", "supervisor"), "site: a supervisor supervises one site: name it")
    refused(run_cli(sqlite_url, "admin", "link", "chen", "nobody"), "officer: unknown officer 'nobody'")
    assert verified(sqlite_url) == before
    logged = run_cli(sqlite_url, "events", "--type", "RoleGranted", "--type", "UserLinked").stdout.decode().splitlines()
    assert [line.split('"type":"')[1].split('"')[0] for line in logged] == ["RoleGranted", "UserLinked"]
