"""Issue #22: every use case of the Ledger, called with no front end in front of it, as each role on
both stores, answers as the permission table says ("Who may do what"): it does what was asked, or
it refuses with an :class:`AccessRefused` in one line naming the rule and who asked.

People (tests/support/people.py) on the hand-checked scenario: po.adams is an officer at on-hyb
whose cases include off-007; po.chen an officer at on-max with off-003; sup.hyb supervises on-hyb;
auditor and analyst hold those roles; the admin is the store's first user; nobody holds no role.

The expected answers are the specification's table, written out row by row below (not read from
the code's table): who may record, read an officer's week, a case's history, the audit log,
export, export offender ids, verify, and administer. ``project`` is the database's answer, not
the table's: on SQLite every login writes the read models, on PostgreSQL only the owner (or the
projector role) does.
"""

from __future__ import annotations

import configparser
import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography.hazmat.primitives import serialization
from psycopg import sql

from caseledger.application.ledger import ExportSpec, Ledger, LogQuery, ReportSpec, checkpoint_document
from caseledger.domain.errors import AccessRefused, StoreURLError
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.clock import Clock
from tests.support.paths import ROOT
from tests.support.people import Staffed, staffed

NOW = dt.datetime(2026, 3, 20, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
"""The scenario's evening (its last entries are of 20 March)."""

ROLES = ("officer", "supervisor", "auditor", "analyst", "admin", "nobody")
RECORDERS = {"officer", "supervisor", "admin"}
READERS = {"officer", "supervisor", "auditor", "admin"}
"""Who reads history and the audit log, and an officer's screens (officers their own)."""
EXPORTERS = {"supervisor", "auditor", "analyst", "admin"}
IDENTIFIED = {"supervisor", "auditor", "admin"}
VERIFIERS = {"supervisor", "auditor", "admin"}
EVERYONE = set(ROLES)

RECORDS = "only an officer, a supervisor or an admin records events"
ADMINISTERS = "only an admin may register sites and officers, move officers, link users and grant roles"


@dataclass
class People:
    store: Staffed
    folder: Path
    ledgers: dict[str, Ledger] = field(default_factory=dict)

    def login(self, role: str) -> str:
        return {"officer": "po.adams", "supervisor": "sup.hyb", "auditor": "auditor", "analyst": "analyst", "admin": self.store.admin, "nobody": "nobody"}[role]

    def ledger(self, role: str) -> Ledger:
        """The Ledger as ``role``'s login opens it (PostgreSQL: their own database login), opened once."""
        if role not in self.ledgers:
            login = self.login(role)
            self.ledgers[role] = Ledger.open(self.store.url_for(login), clock=Clock(NOW), login=login)
        return self.ledgers[role]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def people(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[People]:
    folder = tmp_path_factory.mktemp("ledger")
    if request.param == "sqlite":
        url = f"sqlite:///{folder}/ledger.db"
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.create_database(f"ledger_{id(request)}")
    store = staffed(url)
    if store.postgres:  # nobody: a login of their own, a member of the user group, granted no role
        with psycopg.connect(url, autocommit=True) as connection:
            if connection.execute("SELECT 1 FROM pg_roles WHERE rolname = 'nobody'").fetchone() is None:
                connection.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier("nobody")))
        Ledger.open(url, login=store.admin).init_roles(users=["nobody"])
    yield People(store, folder)


ADDON = p.AddOnTaskLogged(officer="po.adams", category="clerical", minutes=5)
"""An add-on task of po.adams at on-hyb: theirs, their supervisor's or an admin's to record."""


def _fresh_entry(people: People, _login: str) -> int:
    """po.adams records an add-on task (an officer retracts their own within 24 hours, a supervisor
    one at their site, an admin any)."""
    return people.ledger("officer").record(ADDON, "2026-03-20").position


def _granted(people: People, login: str) -> str:
    """The admin grants a role to a person of ``login``'s own, for ``login`` to revoke."""
    person = f"granted.by.{login}"
    people.ledger("admin").grant(person, "auditor")
    return person


def _import(people: People, ledger: Ledger, _prepared: object) -> object:
    line = b'{"type":"AddOnTaskLogged","occurred_at":"2026-03-20","officer":"po.brown","category":"clerical","minutes":5}\n'
    return ledger.import_lines([line])


def _export(identified: bool) -> Callable[[People, Ledger, object], object]:
    def export(people: People, ledger: Ledger, _prepared: object) -> object:
        return ledger.export(ExportSpec.of("deadlines", now=NOW), fmt="csv", output=str(people.folder / "out.csv"), identified=identified, force=True)

    return export


REPORT = ReportSpec.of("2026-01-05", "2026-03-19", rules="current", now=NOW)


def _signed_checkpoint(people: People, _login: str) -> tuple[Path, Path]:
    """A checkpoint the admin signed, and its public key's PEM file."""
    key = people.folder / "proof.key"
    made = people.ledger("admin").checkpoint(key)
    signed, public = people.folder / "proof-checkpoint.json", people.folder / "proof-public.pem"
    signed.write_bytes(checkpoint_document(made.checkpoint))
    private = serialization.load_pem_private_key(key.read_bytes(), password=None)
    public.write_bytes(private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return signed, public


@dataclass(frozen=True)
class Row:
    """One use case and the table's answer: the roles it allows, and the rule a refusal names.
    ``prepare(people, login)``, when given, makes what the call needs first (its result is the
    call's third argument)."""

    method: str
    call: Callable[[People, Ledger, Any], object]
    allowed: set[str]
    rule: str = ""
    prepare: Callable[[People, str], object] | None = None
    case: str = ""
    """What sets this row apart from another of the same method."""


ROWS = [
    # recording
    Row("record", lambda _people, ledger, _: ledger.record(ADDON, "2026-03-20"), RECORDERS, RECORDS),
    Row("retract", lambda _people, ledger, position: ledger.retract(position, "entered twice"), RECORDERS, RECORDS, prepare=_fresh_entry),
    Row("grant", lambda people, ledger, _: ledger.grant("new.person", "analyst"), {"admin"}, f"{RECORDS}|{ADMINISTERS}"),
    Row("revoke", lambda _people, ledger, person: ledger.revoke(person, "auditor"), {"admin"}, f"{RECORDS}|{ADMINISTERS}", prepare=_granted),
    Row("link", lambda people, ledger, _: ledger.link("new.person", "po.brown"), {"admin"}, f"{RECORDS}|{ADMINISTERS}"),
    Row("import_lines", _import, {"admin"}, "only an admin may import events"),
    Row("init_roles", lambda _people, ledger, _: ledger.init_roles(), {"admin"}, "only an admin may set up the database's roles"),
    Row("suggestions", lambda _people, ledger, _: ledger.suggestions("po.adams"), RECORDERS, RECORDS),
    Row("oddities", lambda _people, ledger, _: ledger.oddities(ADDON), RECORDERS, RECORDS),
    Row("last_own_entry", lambda _people, ledger, _: ledger.last_own_entry(), RECORDERS, RECORDS),
    Row("seed_demo", lambda _people, ledger, _: ledger.seed_demo(1), EVERYONE),  # a store with events is not seeded: nothing to refuse
    # reading
    Row("week", lambda _people, ledger, _: ledger.week("po.adams"), READERS, "may read an officer's week and caseload"),
    Row("due", lambda _people, ledger, _: ledger.due("po.adams"), READERS, "may read an officer's week and caseload"),
    Row("caseload", lambda _people, ledger, _: ledger.caseload("po.adams"), READERS, "may read an officer's week and caseload"),
    Row(
        "week",
        lambda _people, ledger, _: ledger.week("po.chen"),
        {"auditor", "admin"},
        r"may read an officer's week|only officer po\.chen",
        case="of another site",
    ),
    Row("officers", lambda _people, ledger, _: ledger.officers(), EXPORTERS, "may export projections"),
    Row("staffing", lambda _people, ledger, _: ledger.staffing(), EXPORTERS, "may export projections"),
    Row("history", lambda _people, ledger, _: ledger.history("off-007"), READERS, "may read a case's history"),
    Row(
        "history",
        lambda _people, ledger, _: ledger.history("off-003"),
        {"auditor", "admin"},
        "may read a case's history|may read off-003's history",
        case="of another site",
    ),
    Row("case_state", lambda _people, ledger, _: ledger.case_state("off-007"), READERS, "may read a case's history"),
    Row(
        "case_state",
        lambda _people, ledger, _: ledger.case_state("off-003"),
        {"auditor", "admin"},
        "may read a case's history|may read off-003's history",
        case="of another site",
    ),
    Row("entry", lambda _people, ledger, _: ledger.entry(33), EVERYONE),  # refuses no one: says the event only to who may read it (None otherwise)
    Row("audit_page", lambda _people, ledger, _: ledger.audit_page(LogQuery(), 0, 5), READERS, "may read the audit log"),
    Row("events", lambda _people, ledger, _: list(ledger.events(LogQuery())), READERS, "may read the audit log"),
    Row("officer_for", lambda _people, ledger, _: ledger.officer_for(ledger.user), EVERYONE),
    Row("zone_of", lambda _people, ledger, _: ledger.zone_of("po.adams"), EVERYONE),
    Row("take_seat", lambda _people, ledger, _: ledger.take_seat(), EVERYONE),
    Row("head", lambda _people, ledger, _: ledger.head(), EVERYONE),
    Row("catch_up", lambda _people, ledger, _: ledger.catch_up(), EVERYONE),
    Row("read_model_lag", lambda _people, ledger, _: ledger.read_model_lag(), EVERYONE),
    Row("check_caches", lambda _people, ledger, _: ledger.check_caches(), EVERYONE),
    Row("check_witness", lambda _people, ledger, _: ledger.check_witness(), EVERYONE),
    # exporting
    Row("export", _export(identified=False), EXPORTERS, "may export projections"),
    Row("export", _export(identified=True), IDENTIFIED, "may export with offender ids", case="identified"),
    Row("report", lambda people, ledger, _: ledger.report(REPORT, str(people.folder / "report.html"), force=True), EXPORTERS, "may export projections"),
    Row("year_report", lambda people, ledger, _: ledger.year_report(str(people.folder / "year.html"), force=True), EXPORTERS, "may export projections"),
    # keeping the store
    Row("status", lambda _people, ledger, _: ledger.status(), EVERYONE),
    Row("whoami", lambda _people, ledger, _: ledger.whoami(), EVERYONE),
    Row("verify", lambda _people, ledger, _: ledger.verify(), VERIFIERS, "may verify or checkpoint the store"),
    Row("checkpoint", lambda people, ledger, _: ledger.checkpoint(people.folder / "checkpoint.key"), VERIFIERS, "may verify or checkpoint the store"),
    Row("quarantine", lambda _people, ledger, _: ledger.quarantine(), VERIFIERS, "may verify or checkpoint the store"),
    Row("prove", lambda _people, ledger, signed: ledger.prove(1, *signed), VERIFIERS, "may verify or checkpoint the store", prepare=_signed_checkpoint),
    Row(
        "consistency",
        lambda _people, ledger, signed: ledger.consistency(signed[0], signed[0], signed[1]),
        VERIFIERS,
        "may verify or checkpoint the store",
        prepare=_signed_checkpoint,
    ),
    Row("rebuild", lambda _people, ledger, _: ledger.rebuild(), {"admin"}, "only an admin may rebuild the read models"),
]


def test_every_public_method_of_the_ledger_has_a_row() -> None:
    """A new use case needs its row here (and its check in the Ledger)."""
    public = {name for name in dir(Ledger) if not name.startswith("_") and callable(getattr(Ledger, name))}
    plumbing = {"open", "now", "view", "require", "require_recording", "acting", "caught_up_after_recording"}
    assert public - plumbing == {row.method for row in ROWS} | {"project"}


@pytest.mark.slow
@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.method} {row.case}".strip())
def test_each_use_case_answers_each_role_as_the_permission_table_says(people: People, row: Row) -> None:
    for role in ROLES:
        ledger = people.ledger(role)
        prepared = row.prepare(people, people.login(role)) if row.prepare else None
        before = ledger.head()
        if role not in row.allowed:
            with pytest.raises(AccessRefused, match=row.rule) as refused:
                row.call(people, ledger, prepared)
            message = str(refused.value)
            assert "\n" not in message and message.endswith(f"{people.login(role)} ({_roles(role)})"), message
            assert people.ledger("admin").head() == before  # nothing recorded
        elif row.method == "init_roles" and not people.store.postgres:
            with pytest.raises(StoreURLError, match="init-roles sets up a PostgreSQL store's database roles"):  # the table allows; SQLite has no roles
                row.call(people, ledger, prepared)
        else:
            row.call(people, ledger, prepared)


@pytest.mark.slow
def test_project_is_the_owners_or_the_projectors_on_a_store_with_roles(people: People) -> None:
    """Not a row of the table: who writes the read models is the database's (on SQLite, every login)."""
    for role in ROLES:
        ledger = people.ledger(role)
        if people.store.postgres and role != "admin":
            with pytest.raises(AccessRefused, match="only the store's owner or a member of caseledger_projector writes the read models"):
                ledger.project()
        else:
            assert ledger.project() == ledger.head()


def _roles(role: str) -> str:
    """How a refusal describes who asked: their roles as granted."""
    return {"officer": "officer", "supervisor": "supervisor of on-hyb", "auditor": "auditor", "analyst": "analyst", "admin": "admin", "nobody": "no role"}[role]


def _rows(people: People, role: str, *, identified: bool) -> list[dict[str, Any]]:
    output = people.folder / f"deadlines-{role}-{identified}.csv"
    people.ledger(role).export(ExportSpec.of("deadlines", now=NOW), fmt="csv", output=str(output), identified=identified)
    return list(csv.DictReader(io.StringIO(output.read_text())))


@pytest.mark.slow
def test_a_supervisors_export_holds_their_sites_rows_de_identified_unless_they_ask_for_ids(people: People) -> None:
    """Called on the Ledger directly: sup.hyb's deadlines are on-hyb's alone — the admin's hold
    on-max's too — with pseudonyms for offender ids unless sup.hyb asks for ids, which the table
    allows them."""
    everything = _rows(people, "admin", identified=True)
    offenders = {row["offender"] for row in everything}
    assert {"on-hyb", "on-max"} <= {row["site"] for row in everything} and {"off-003", "off-007"} <= offenders
    pseudonymous = _rows(people, "supervisor", identified=False)
    identified = _rows(people, "supervisor", identified=True)
    assert pseudonymous and {row["site"] for row in pseudonymous} == {"on-hyb"} == {row["site"] for row in identified}
    assert len(pseudonymous) == len(identified) == sum(row["site"] == "on-hyb" for row in everything)
    assert not offenders & {row["offender"] for row in pseudonymous}
    assert {row["offender"] for row in identified} == {row["offender"] for row in everything if row["site"] == "on-hyb"}
    with pytest.raises(AccessRefused, match="only a supervisor, an auditor or an admin may export with offender ids"):
        _rows(people, "analyst", identified=True)


@pytest.mark.slow
def test_a_supervisors_report_is_of_their_site_and_names_no_offender(people: People) -> None:
    """The report as sup.hyb names on-hyb, not on-max (the admin's names both), and no offender id."""
    documents = {}
    for role in ("admin", "supervisor"):
        output = people.folder / f"report-{role}.html"
        people.ledger(role).report(REPORT, str(output))
        documents[role] = output.read_text()
    assert "on-max" in documents["admin"] and "on-hyb" in documents["admin"]
    assert "on-hyb" in documents["supervisor"] and "on-max" not in documents["supervisor"]
    assert "off-0" not in documents["supervisor"] and "off-0" not in documents["admin"]


FRONT_ENDS_MAY_USE = {"ledger", "text", "interchange", "supervisor"}
"""The application's modules the command line and the TUI may import (the contract's name says why)."""


def test_the_front_end_contract_forbids_every_other_application_module() -> None:
    """A new module of the application is the Ledger's to call unless it is added, on purpose, to
    what the front ends may use."""
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    contract = config["importlinter:contract:front-ends-through-the-ledger"]
    assert contract["source_modules"].split() == ["caseledger.cli", "caseledger.tui"]
    forbidden = {name.removeprefix("caseledger.application.") for name in contract["forbidden_modules"].split()}
    modules = {path.stem for path in (ROOT / "application").glob("*.py") if path.stem != "__init__"}
    modules |= {path.parent.name for path in (ROOT / "application").glob("*/__init__.py")}
    assert forbidden == modules - FRONT_ENDS_MAY_USE
    assert modules >= FRONT_ENDS_MAY_USE
