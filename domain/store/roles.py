"""What a PostgreSQL store's database enforces about who may write what (``caseledger admin init-roles``).

The program enforces the permission table (:mod:`caseledger.domain.model.access`); the database
enforces what it can, so that a person connecting with ``psql`` instead of caseledger gets no
further than the program would let them:

* **Who recorded an event** is the login that inserted it: the events table has a
  ``recorded_by`` column that a trigger fills with ``session_user`` (which no client can set:
  ``SET ROLE`` changes ``current_user``, and ``SET SESSION AUTHORIZATION`` needs a superuser). A
  row that names anyone else is refused — except for the store's owner and members of
  ``caseledger_admin``, whose ``--keep-recorded`` import moves a store with its history. Events
  recorded before the column existed have none; their state's name stands.
* **User logins** (members of ``caseledger_user``) may read the store and insert events and their
  chain rows — nothing else: no UPDATE or DELETE of events or the chain (a trigger refuses them
  to everyone but the owner, who could drop it anyway), no write to read models, snapshots or
  the store's key fingerprints. The events table's write lock, which keeps the chain in order, is
  taken through a ``SECURITY DEFINER`` function, because ``LOCK TABLE … EXCLUSIVE`` itself
  needs UPDATE.
* **The projector** (members of ``caseledger_projector``) writes the read models and aggregate
  snapshots; it may not insert, change or delete events. ``caseledger project`` run as that
  login keeps them up to date; user logins read them as they find them.

What the database cannot enforce: which *rows* a role may read (a supervisor's site, an officer's
cases) — every caseledger login can SELECT every table; the program filters what it shows. The
owner (and any superuser) can do anything; the hash chain and signed checkpoints are what
catch them (README, "Threat model").
"""

from __future__ import annotations

from psycopg.sql import SQL, Composed, Identifier, Literal

USER_ROLE = "caseledger_user"
PROJECTOR_ROLE = "caseledger_projector"
ADMIN_ROLE = "caseledger_admin"
EVENTS_TABLE = "caseledger_events"
"""The library names the events table after the application (``caseledger``) and ``_events``."""
LOCK_FUNCTION = "cl_lock_events"
IDENTITY_FUNCTION = "cl_recorded_by"
IMMUTABLE_FUNCTION = "cl_events_immutable"


def owner_test(name: str) -> Composed:
    """SQL: whether the login is (a member of) the owner of table ``name`` (as regclass text)."""
    return SQL("COALESCE(pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = to_regclass({})), 'MEMBER'), false)").format(Literal(name))


def member_test(role: str) -> Composed:
    """SQL: whether the login is a member of group ``role`` (``pg_has_role`` is strict: a role
    that does not exist gives NULL, so a store without group roles raises no error)."""
    return SQL("COALESCE(pg_has_role(session_user, to_regrole({}), 'MEMBER'), false)").format(Literal(role))


def qualified(schema: str, table: str) -> str:
    """``"schema"."table"``, as regclass text."""
    return f'"{schema}"."{table}"'


def identity_statements(schema: str, events_table: str) -> list[Composed]:
    """Create the ``recorded_by`` column, its trigger, the immutability trigger and the lock
    function (each only if missing, so opening a store takes no table lock)."""
    name = qualified(schema, events_table)
    table = SQL("{}.{}").format(Identifier(schema), Identifier(events_table))
    owner_only = owner_test(name)
    return [
        SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN "
            "IF NEW.recorded_by IS NULL THEN NEW.recorded_by := session_user; "
            "ELSIF NEW.recorded_by <> session_user AND NOT ({may_keep}) THEN "
            "RAISE EXCEPTION 'an event is recorded by the login that inserts it (%), not by %', session_user, NEW.recorded_by "
            "USING ERRCODE = 'insufficient_privilege'; "
            "END IF; RETURN NEW; END $body$"
        ).format(schema=Identifier(schema), function=Identifier(IDENTITY_FUNCTION), may_keep=SQL("{} OR {}").format(owner_only, member_test(ADMIN_ROLE))),
        SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN "
            "IF NOT ({owner}) THEN RAISE EXCEPTION 'events are never changed or deleted: record an EventRetracted' "
            "USING ERRCODE = 'insufficient_privilege'; END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $body$"
        ).format(schema=Identifier(schema), function=Identifier(IMMUTABLE_FUNCTION), owner=owner_only),
        SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}() RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog "
            "AS $body$ BEGIN LOCK TABLE {table} IN EXCLUSIVE MODE; END $body$"
        ).format(schema=Identifier(schema), function=Identifier(LOCK_FUNCTION), table=table),
        SQL("REVOKE ALL ON FUNCTION {schema}.{function}() FROM PUBLIC").format(schema=Identifier(schema), function=Identifier(LOCK_FUNCTION)),
        SQL(
            "DO $body$ BEGIN "
            "IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = {name}::regclass AND attname = 'recorded_by' AND NOT attisdropped) THEN "
            "ALTER TABLE {table} ADD COLUMN recorded_by TEXT; END IF; "
            "IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = {name}::regclass AND tgname = {identity_name}) THEN "
            "CREATE TRIGGER {identity} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {schema}.{identity}(); END IF; "
            "IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = {name}::regclass AND tgname = {immutable_name}) THEN "
            "CREATE TRIGGER {immutable} BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {schema}.{immutable}(); END IF; "
            "END $body$"
        ).format(
            name=Literal(name),
            table=table,
            schema=Identifier(schema),
            identity=Identifier(IDENTITY_FUNCTION),
            identity_name=Literal(IDENTITY_FUNCTION),
            immutable=Identifier(IMMUTABLE_FUNCTION),
            immutable_name=Literal(IMMUTABLE_FUNCTION),
        ),
    ]


def lock_statement(schema: str) -> Composed:
    """Take the events table's write lock through the owner's function (see the module's docstring)."""
    return SQL("SELECT {}.{}()").format(Identifier(schema), Identifier(LOCK_FUNCTION))


def grant_statements(schema: str, events_table: str, chain_table: str, projector_tables: list[str]) -> list[Composed]:
    """The group roles and what each may do, for ``caseledger admin init-roles`` (run by the
    store's owner, with CREATEROLE). ``projector_tables``: the read models, their tracking and
    seals, and the aggregate snapshots — everything but the events, the chain and the keys."""
    schema_id = Identifier(schema)
    events = SQL("{}.{}").format(schema_id, Identifier(events_table))
    chain = SQL("{}.{}").format(schema_id, Identifier(chain_table))
    statements: list[Composed] = [
        SQL("DO $body$ BEGIN IF to_regrole({name}) IS NULL THEN CREATE ROLE {role} NOLOGIN; END IF; END $body$").format(
            name=Literal(role), role=Identifier(role)
        )
        for role in (USER_ROLE, PROJECTOR_ROLE, ADMIN_ROLE)
    ]
    statements += [
        SQL("GRANT {} TO {}").format(Identifier(USER_ROLE), Identifier(ADMIN_ROLE)),
        SQL("GRANT USAGE ON SCHEMA {} TO {}, {}").format(schema_id, Identifier(USER_ROLE), Identifier(PROJECTOR_ROLE)),
        SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}, {}").format(schema_id, Identifier(USER_ROLE), Identifier(PROJECTOR_ROLE)),
        SQL("GRANT INSERT ON {}, {} TO {}").format(events, chain, Identifier(USER_ROLE)),
        SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema_id, Identifier(USER_ROLE)),
        SQL("GRANT EXECUTE ON FUNCTION {}.{}() TO {}").format(schema_id, Identifier(LOCK_FUNCTION), Identifier(USER_ROLE)),
    ]
    statements += [
        SQL("GRANT INSERT, UPDATE, DELETE ON {}.{} TO {}").format(schema_id, Identifier(name), Identifier(PROJECTOR_ROLE)) for name in projector_tables
    ]
    return statements
