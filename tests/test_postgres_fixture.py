"""Sanity checks for the session-scoped PostgreSQL fixture in conftest.py."""

import psycopg

from tests.support.postgres import PostgresServer, one


def test_server_accepts_connections(postgres_server: PostgresServer) -> None:
    with postgres_server.connect() as conn:
        (version,) = one(conn.execute("SELECT version()"))
    assert "PostgreSQL 15" in version


def test_create_database_gives_distinct_connectable_databases(postgres_server: PostgresServer) -> None:
    url_a = postgres_server.create_database("t_fixture_a")
    url_b = postgres_server.create_database("t_fixture_b")
    assert url_a != url_b
    assert url_a == f"postgresql://postgres:postgres@127.0.0.1:{postgres_server.port}/t_fixture_a"

    names = []
    for url in (url_a, url_b):
        with psycopg.connect(url, connect_timeout=10) as conn:
            (name,) = one(conn.execute("SELECT current_database()"))
            names.append(name)
    assert names == ["t_fixture_a", "t_fixture_b"]
