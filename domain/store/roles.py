"""What a PostgreSQL store's database enforces about who may write what (``caseledger admin init-roles``).

The program enforces the permission table (:mod:`caseledger.domain.model.access`); the database
enforces what it can, so that a person connecting with ``psql`` instead of caseledger gets no
further than the program would let them:

* **Who recorded an event** is the login that inserted it: the events table has a
  ``recorded_by`` column that a trigger fills with ``session_user`` (which no client can set:
  ``SET ROLE`` changes ``current_user``, and ``SET SESSION AUTHORIZATION`` needs a superuser).
  User logins may insert only the event's own columns (a column-level grant: no position, no
  recorder), and the trigger refuses a row naming anyone else — only the store's owner keeps
  another recorder's name, when ``--keep-recorded`` moves a store with its history. An event
  recorded before the store reached format 3 (:mod:`caseledger.domain.store.migrations`) has
  none; its state's name stands. The trigger runs
  with a fixed ``search_path`` (a temporary table cannot stand in for ``pg_class``).
* **What the database can check of an event** without reading it (payloads may be encrypted):
  its type. The trigger refuses a type the catalogue does not have, and the administrative
  types (registering sites and officers, moving officers, linking users, granting and revoking
  roles) from anyone but the owner and members of ``caseledger_admin``. Everything else the
  permission table says is the program's to enforce: a user login that writes SQL by hand can
  insert, under its own name, an event the program would have refused (docs/security.md, "Residual risks").
* **User logins** (members of ``caseledger_user``) may read the store and insert events (their
  own columns) and their chain rows — nothing else: no UPDATE or DELETE of events or the chain (a trigger refuses them
  to everyone but the owner, who could drop it anyway), no write to read models, snapshots or
  the store's key fingerprints and format. The events table's write lock, which keeps the chain in order, is
  taken through a ``SECURITY DEFINER`` function, because ``LOCK TABLE … EXCLUSIVE`` itself
  needs UPDATE. A chain row must name an event that exists (a trigger), so nobody can fill the
  chain ahead of the log and block every writer.
* **The projector** (members of ``caseledger_projector``) writes the read models and aggregate
  snapshots; it may not insert, change or delete events. ``caseledger project`` run as that
  login keeps them up to date; user logins read them as they find them. It computes the
  pseudonyms of de-identified exports (it holds the pseudonym key, user logins do not), so it
  may record that key's fingerprint in ``cl_store_key`` — a trigger lets it insert that row and
  no other, and nobody but the owner changes a row there.

What the database cannot enforce: which *rows* a role may read (a supervisor's site, an officer's
cases) — every caseledger login can SELECT every table; the program filters what it shows. The
owner (and any superuser) can do anything; the hash chain and signed checkpoints are what
catch them (docs/security.md, "Threat model").
"""

from __future__ import annotations

from collections.abc import Iterable

from psycopg.sql import SQL, Composed, Identifier, Literal

from caseledger.domain.events.catalogue import PAYLOAD_TYPES
from caseledger.domain.model.access import ADMINISTRATION
from caseledger.domain.store.keys import KEY_TABLE, PSEUDONYM_ROW
from caseledger.domain.store.tree import TREE_TABLES

USER_ROLE = "caseledger_user"
PROJECTOR_ROLE = "caseledger_projector"
ADMIN_ROLE = "caseledger_admin"
EVENTS_TABLE = "caseledger_events"
"""The library names the events table after the application (``caseledger``) and ``_events``."""
LOCK_FUNCTION = "cl_lock_events"
IDENTITY_FUNCTION = "cl_recorded_by"
IMMUTABLE_FUNCTION = "cl_events_immutable"
CHAIN_FUNCTION = "cl_chain_names_an_event"
KEY_ROWS_FUNCTION = "cl_store_key_rows"


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
    """Define the triggers' functions and the lock function, on every opening by the owner: the
    identity trigger's function lists the event catalogue's types, which grow with the code. The
    triggers themselves and the ``recorded_by`` column are the store format's
    (:func:`recorded_by_statements`, :func:`chain_trigger_statements`)."""
    name = qualified(schema, events_table)
    table = SQL("{}.{}").format(Identifier(schema), Identifier(events_table))
    owner_only = owner_test(name)
    return [
        SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $body$ BEGIN "
            "IF NOT ({owner}) THEN "
            "IF NEW.recorded_by IS NOT NULL AND NEW.recorded_by <> session_user THEN "
            "RAISE EXCEPTION 'an event is recorded by the login that inserts it (%), not by %', session_user, NEW.recorded_by "
            "USING ERRCODE = 'insufficient_privilege'; END IF; "
            "IF NOT (NEW.topic = ANY ({known})) THEN "
            "RAISE EXCEPTION 'no event type %', NEW.topic USING ERRCODE = 'insufficient_privilege'; END IF; "
            "IF NEW.topic = ANY ({administration}) AND NOT ({admin}) THEN "
            "RAISE EXCEPTION 'only an admin login (a member of {admin_role}) records %', NEW.topic USING ERRCODE = 'insufficient_privilege'; END IF; "
            "END IF; "
            "IF NEW.recorded_by IS NULL THEN NEW.recorded_by := session_user; END IF; "
            "RETURN NEW; END $body$"
        ).format(
            schema=Identifier(schema),
            function=Identifier(IDENTITY_FUNCTION),
            owner=owner_only,
            known=_text_array(PAYLOAD_TYPES),
            administration=_text_array(type_.__name__ for type_ in ADMINISTRATION),
            admin=member_test(ADMIN_ROLE),
            admin_role=SQL(ADMIN_ROLE),
        ),
        SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $body$ BEGIN "
            "IF NOT ({owner}) THEN RAISE EXCEPTION 'events are never changed or deleted: record an EventRetracted' "
            "USING ERRCODE = 'insufficient_privilege'; END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $body$"
        ).format(schema=Identifier(schema), function=Identifier(IMMUTABLE_FUNCTION), owner=owner_only),
        SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $body$ BEGIN "
            "IF NOT EXISTS (SELECT 1 FROM {table} WHERE notification_id = NEW.position) THEN "
            "RAISE EXCEPTION 'a chain row names no event (position %)', NEW.position USING ERRCODE = 'insufficient_privilege'; END IF; "
            "RETURN NEW; END $body$"
        ).format(schema=Identifier(schema), function=Identifier(CHAIN_FUNCTION), table=table),
        SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}() RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog "
            "AS $body$ BEGIN LOCK TABLE {table} IN EXCLUSIVE MODE; END $body$"
        ).format(schema=Identifier(schema), function=Identifier(LOCK_FUNCTION), table=table),
        SQL("REVOKE ALL ON FUNCTION {schema}.{function}() FROM PUBLIC").format(schema=Identifier(schema), function=Identifier(LOCK_FUNCTION)),
    ]


def recorded_by_statements(schema: str, events_table: str) -> list[Composed]:
    """Store format 3: the ``recorded_by`` column, its trigger and the events' immutability trigger
    (each only if missing: :mod:`caseledger.domain.store.migrations`)."""
    name = qualified(schema, events_table)
    return [
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
            table=SQL("{}.{}").format(Identifier(schema), Identifier(events_table)),
            schema=Identifier(schema),
            identity=Identifier(IDENTITY_FUNCTION),
            identity_name=Literal(IDENTITY_FUNCTION),
            immutable=Identifier(IMMUTABLE_FUNCTION),
            immutable_name=Literal(IMMUTABLE_FUNCTION),
        )
    ]


def chain_trigger_statements(schema: str, chain_table: str) -> list[Composed]:
    """Store format 4: the chain's trigger (only if missing: :mod:`caseledger.domain.store.migrations`)."""
    return [
        SQL(
            "DO $body$ BEGIN "
            "IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = {chain_name}::regclass AND tgname = {chained_name}) THEN "
            "CREATE TRIGGER {chained} BEFORE INSERT ON {chain} FOR EACH ROW EXECUTE FUNCTION {schema}.{chained}(); END IF; "
            "END $body$"
        ).format(
            chain_name=Literal(qualified(schema, chain_table)),
            chain=SQL("{}.{}").format(Identifier(schema), Identifier(chain_table)),
            chained=Identifier(CHAIN_FUNCTION),
            chained_name=Literal(CHAIN_FUNCTION),
            schema=Identifier(schema),
        )
    ]


def format_table_statement(schema: str, table: str, columns: str) -> Composed:
    """Create the store-format table (:mod:`caseledger.domain.store.migrations`) if missing, readable
    by the group roles that exist: their logins read it whenever they open the store, and
    ``init-roles`` may have run before it existed. No group role may write it."""
    created = SQL("{}.{}").format(Identifier(schema), Identifier(table))
    readers = SQL(" ").join(
        SQL("IF to_regrole({}) IS NOT NULL THEN GRANT SELECT ON {} TO {}; END IF;").format(Literal(role), created, Identifier(role))
        for role in (USER_ROLE, PROJECTOR_ROLE)
    )
    return SQL("DO $body$ BEGIN IF to_regclass({name}) IS NULL THEN CREATE TABLE {table} ({columns}); {readers} END IF; END $body$").format(
        name=Literal(qualified(schema, table)),
        table=created,
        columns=SQL(columns),  # a constant of the migrations module
        readers=readers,
    )


def cache_table_statement(table: str) -> str:
    """Grant a cache table made after ``init-roles`` (a newer caseledger's) as ``init-roles`` grants
    the others: readable by the group roles, written by the projector — where the roles exist.
    ``cl_pseudonyms`` too is readable by every login: an export's lookups would have to answer an
    analyst for every offender id it can read in the timeline anyway (docs/security.md,
    "De-identification"). ``table``: its name as SQL (schema-qualified, quoted: the recorder's ``table()``)."""
    name = SQL(table)  # the recorder's own quoting of a constant name
    return (
        SQL(
            "DO $body$ BEGIN "
            "IF to_regrole({user}) IS NOT NULL THEN GRANT SELECT ON {name} TO {user_role}; END IF; "
            "IF to_regrole({projector}) IS NOT NULL THEN GRANT SELECT, INSERT, UPDATE, DELETE ON {name} TO {projector_role}; END IF; "
            "END $body$"
        )
        .format(
            name=name, user=Literal(USER_ROLE), user_role=Identifier(USER_ROLE), projector=Literal(PROJECTOR_ROLE), projector_role=Identifier(PROJECTOR_ROLE)
        )
        .as_string()
    )


def _key_rows_statements(schema: str) -> list[Composed]:
    """The projector may insert the pseudonym key's fingerprint in ``cl_store_key`` (it computes
    the pseudonyms), and no other row: a trigger refuses any other row from anyone but the owner."""
    key_table = SQL("{}.{}").format(Identifier(schema), Identifier(KEY_TABLE))
    return [
        SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $body$ BEGIN "
            "IF NOT ({owner}) AND NEW.id <> {row} THEN "
            "RAISE EXCEPTION 'only the store''s owner records a key fingerprint other than the pseudonym key''s' USING ERRCODE = 'insufficient_privilege'; "
            "END IF; RETURN NEW; END $body$"
        ).format(schema=Identifier(schema), function=Identifier(KEY_ROWS_FUNCTION), owner=owner_test(qualified(schema, KEY_TABLE)), row=Literal(PSEUDONYM_ROW)),
        SQL(
            "DO $body$ BEGIN "
            "IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = {name}::regclass AND tgname = {function_name}) THEN "
            "CREATE TRIGGER {function} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {schema}.{function}(); END IF; "
            "END $body$"
        ).format(
            name=Literal(qualified(schema, KEY_TABLE)),
            function_name=Literal(KEY_ROWS_FUNCTION),
            function=Identifier(KEY_ROWS_FUNCTION),
            table=key_table,
            schema=Identifier(schema),
        ),
        SQL("GRANT INSERT ON {} TO {}").format(key_table, Identifier(PROJECTOR_ROLE)),
    ]


def _text_array(names: Iterable[str]) -> Composed:
    return SQL("ARRAY[{}]::text[]").format(SQL(", ").join(Literal(name) for name in names))


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
        SQL("REVOKE INSERT ON {} FROM {}").format(events, Identifier(USER_ROLE)),  # a table-wide grant would cover every column
        SQL("GRANT INSERT (originator_id, originator_version, topic, state) ON {} TO {}").format(events, Identifier(USER_ROLE)),
        SQL("GRANT INSERT ON {} TO {}").format(chain, Identifier(USER_ROLE)),
        *tree_grants(schema),
        SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema_id, Identifier(USER_ROLE)),
        SQL("GRANT EXECUTE ON FUNCTION {}.{}() TO {}").format(schema_id, Identifier(LOCK_FUNCTION), Identifier(USER_ROLE)),
    ]
    statements += [
        SQL("GRANT INSERT, UPDATE, DELETE ON {}.{} TO {}").format(schema_id, Identifier(name), Identifier(PROJECTOR_ROLE)) for name in projector_tables
    ]
    return statements + _key_rows_statements(schema)


def tree_grants(schema: str) -> list[Composed]:
    """What the user role may do to the Merkle log's tables (:mod:`caseledger.domain.store.tree`):
    add leaves and nodes, as it adds chain rows — never change one."""
    schema_id = Identifier(schema)
    statements = [SQL("GRANT SELECT, INSERT ON {}.{} TO {}").format(schema_id, Identifier(name), Identifier(USER_ROLE)) for name in TREE_TABLES]
    return statements + [SQL("GRANT SELECT ON {}.{} TO {}").format(schema_id, Identifier(name), Identifier(PROJECTOR_ROLE)) for name in TREE_TABLES]


def tree_grant_statements(schema: str) -> list[Composed]:
    """Store format 6 on a store whose roles were set up before it: :func:`tree_grants`, when the roles exist."""
    exists = SQL("SELECT to_regrole({}) IS NOT NULL AND to_regrole({}) IS NOT NULL").format(Literal(USER_ROLE), Literal(PROJECTOR_ROLE))
    return [SQL("DO $body$ BEGIN IF ({}) THEN {}; END IF; END $body$").format(exists, SQL("; ").join(tree_grants(schema)))]
