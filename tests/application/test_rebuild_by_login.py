"""Who may rebuild the read models on a PostgreSQL store with roles, and what the others are told.

The permission table lets any admin rebuild; the database lets only the store's owner (or its
projector role) write the read models. An admin who is neither is refused by the database's
rule, and the refusal says that rule — not that the store is a read replica, which it is not
(a replica's refusal is tested in tests/projections/test_replica.py).
"""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from caseledger.application.ledger import Ledger
from caseledger.domain.errors import LedgerError
from tests.support.people import staffed
from tests.support.postgres import PostgresServer


@pytest.mark.slow
def test_an_admin_who_does_not_own_the_store_is_told_who_may_rebuild(postgres_server: PostgresServer) -> None:
    store = staffed(postgres_server.create_database("rebuild_by_login"))
    with psycopg.connect(store.url, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_roles WHERE rolname = 'admin.two'").fetchone() is None:
            connection.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier("admin.two")))
    owner = Ledger.open(store.url, login=store.admin)
    owner.init_roles(users=["admin.two"])
    owner.grant("admin.two", "admin")

    second = Ledger.open(store.url_for("admin.two"), login="admin.two")
    with pytest.raises(LedgerError) as refused:
        second.rebuild()
    message = str(refused.value)
    assert "only the store's owner or its projector role may rebuild them" in message
    assert "replica" not in message

    assert owner.rebuild().head == store.head()  # the owner may: the same call, the database's rule allows it
