"""Issue #11: every row of the permission table ("Who may do what"), an allowed and a refused
action each, on SQLite and PostgreSQL. People are real logins (tests/support/people.py): the OS
login on SQLite, a database login of their own on PostgreSQL.

A refusal names the rule and who asked, in one line (exit 2 on the command line), and records
nothing: the head position and the verified chain are unchanged.

The world (the hand-checked scenario): po.adams is an officer at on-hyb whose cases include
off-007 (admitted at on-hyb, assigned to po.adams); po.chen an officer at on-max with off-003;
sup.hyb supervises on-hyb; the scenario's events were recorded by the admin (its importer).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from caseledger.domain.errors import AccessRefused
from caseledger.domain.events import catalogue as p
from caseledger.domain.model.access import Actor, LoggedEntry, authorize
from caseledger.domain.store.application import open_application
from caseledger.domain.store.log import read_log
from tests.support.people import Staffed, staffed


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Staffed]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('people')}/ledger.db"
    else:
        url = request.getfixturevalue("postgres_server").create_database(f"people_{id(request)}")
    yield staffed(url)


def refused_in_one_line(store: Staffed, login: str, *args: str, rule: str) -> None:
    """``login`` runs ``args``: exit 2, one line naming ``rule`` and them, nothing recorded."""
    before = store.head()
    done = store.cli(login, *args)
    message = done.stderr.decode()
    assert done.returncode == 2, message
    assert message.count("\n") == 1 and "Traceback" not in message
    assert message.startswith("caseledger: refused: ") and rule in message and login in message, message
    assert store.head() == before


def allowed(store: Staffed, login: str, *args: str) -> bytes:
    done = store.cli(login, *args)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def refused_to_record(store: Staffed, login: str, data: p.Payload, rule: str) -> None:
    before = store.head()
    with pytest.raises(AccessRefused, match=rule):
        store.service(login).record(data, "2026-03-20")
    assert store.head() == before


def recorded_by(store: Staffed, login: str, data: p.Payload) -> int:
    """Record ``data`` as ``login``; the log says ``login`` recorded it."""
    position = store.service(login).record(data, "2026-03-20")
    event = next(read_log(open_application(store.url), after=position - 1))
    assert (event.position, event.envelope.recorded_by) == (position, login)
    return position


# -- add-on tasks, leave, CCLO contacts, case events for own cases: officer ✔, supervisor ✔, admin ✔


@pytest.mark.slow
def test_an_officer_records_for_themselves_and_their_own_cases_only(store: Staffed) -> None:
    recorded_by(store, "po.adams", p.AddOnTaskLogged(officer="po.adams", category="scanning_faxing", minutes=20))
    recorded_by(store, "po.adams", p.ComplexityFlagged(offender="off-007", factor="mental_health"))
    refused_to_record(store, "po.adams", p.AddOnTaskLogged(officer="po.chen", category="clerical", minutes=5), "only officer po.chen")
    refused_to_record(store, "po.adams", p.LeaveStarted(officer="po.chen", kind="sick"), "only officer po.chen")
    refused_to_record(store, "po.adams", p.ComplexityFlagged(offender="off-003", factor="gang"), r"only the case's officer \(po.chen\)")
    refused_to_record(
        store, "auditor", p.AddOnTaskLogged(officer="po.adams", category="clerical", minutes=5), "only an officer, a supervisor or an admin records"
    )


# -- case events for any case at the site, assignments, coverage: supervisor (own site) ✔, admin ✔


@pytest.mark.slow
def test_a_supervisor_assigns_and_arranges_coverage_at_their_site_only(store: Staffed) -> None:
    recorded_by(store, "sup.hyb", p.CaseAssigned(offender="off-007", officer="po.adams"))  # off-007 stays po.adams's for the other tests
    recorded_by(store, "sup.hyb", p.LeaveStarted(officer="po.adams", kind="sick"))
    recorded_by(store, "sup.hyb", p.CoverageStarted(officer="po.adams", covering_officer="po.brown"))
    refused_to_record(store, "sup.hyb", p.CaseAssigned(offender="off-003", officer="po.chen"), "only a supervisor of on-max or an admin may assign cases there")
    refused_to_record(store, "po.chen", p.CaseAssigned(offender="off-003", officer="po.chen"), "only a supervisor of on-max or an admin may assign cases there")
    refused_to_record(store, "po.chen", p.CoverageStarted(officer="po.chen", covering_officer="po.adams"), "arrange coverage")


# -- retract: officer their own entries within 24 h; supervisor ✔ (their site); admin ✔


@pytest.mark.slow
def test_retraction_own_entries_for_officers_and_the_site_for_supervisors(store: Staffed) -> None:
    own = recorded_by(store, "po.chen", p.AddOnTaskLogged(officer="po.chen", category="clerical", minutes=15))
    allowed(store, "po.chen", "retract", str(own), "--reason", "entered twice")
    scenario_event = next(e.position for e in read_log(open_application(store.url)) if e.type == "CaseAssigned" and e.envelope.data.offender == "off-003")
    refused_in_one_line(store, "po.chen", "retract", str(scenario_event), "--reason", "not mine", rule="an officer retracts only their own entries")
    at_hyb = next(e.position for e in read_log(open_application(store.url)) if e.type == "OffenderAdmitted" and e.envelope.data.offender == "off-007")
    refused_in_one_line(store, "sup.hyb", "retract", str(scenario_event), "--reason", "wrong site", rule="needs a supervisor of its site or an admin")
    allowed(store, "sup.hyb", "retract", str(at_hyb), "--reason", "admitted in error")


def test_an_officers_own_entry_is_theirs_to_retract_for_24_hours() -> None:
    """Hand-checked against the rule's clock: recorded at 09:00 on the 20th, retracted at 09:00 on
    the 21st (24 h: allowed) and at 09:01 (24 h 1 min: refused); another officer's never."""
    officer = Actor("po.adams", "po.adams", frozenset({("officer", None)}))
    recorded = dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC)
    mine = LoggedEntry("on-hyb", "po.adams", recorded)
    retraction = p.EventRetracted(position=7, reason="typo")
    authorize(officer, retraction, "on-hyb", case=None, target=mine, now=recorded + dt.timedelta(hours=24))
    with pytest.raises(AccessRefused, match="within 24 hours"):
        authorize(officer, retraction, "on-hyb", case=None, target=mine, now=recorded + dt.timedelta(hours=24, minutes=1))
    with pytest.raises(AccessRefused, match="within 24 hours"):
        authorize(officer, retraction, "on-hyb", case=None, target=LoggedEntry("on-hyb", "po.brown", recorded), now=recorded)


# -- read history, audit screen, verify, checkpoint: officer own cases; supervisor site; auditor ✔; admin ✔


@pytest.mark.slow
def test_history_is_for_the_cases_a_person_may_read(store: Staffed) -> None:
    assert b"OffenderAdmitted" in allowed(store, "po.chen", "history", "off-003")
    refused_in_one_line(store, "po.chen", "history", "off-007", rule="only the case's officer, a supervisor of its site, an auditor or an admin")
    assert b"OffenderAdmitted" in allowed(store, "sup.hyb", "history", "off-007")
    refused_in_one_line(store, "sup.hyb", "history", "off-003", rule="only the case's officer, a supervisor of its site")
    assert b"OffenderAdmitted" in allowed(store, "auditor", "history", "off-003")
    refused_in_one_line(store, "analyst", "history", "off-003", rule="may read a case's history")


@pytest.mark.slow
def test_the_audit_log_shows_each_person_their_part(store: Staffed) -> None:
    everything = allowed(store, "auditor", "events").splitlines()
    sites = allowed(store, "sup.hyb", "events").splitlines()
    mine = allowed(store, "po.chen", "events").splitlines()
    assert len(mine) < len(sites) < len(everything)
    assert all(b'"site":"on-max"' not in line or b"on-hyb" in line for line in sites)
    assert any(b'"offender":"off-007"' in line for line in sites) and not any(b'"offender":"off-003"' in line for line in sites)  # on-hyb's case, not on-max's
    assert not any(b'"offender":"off-007"' in line for line in mine)  # po.adams's case, not po.chen's
    assert all(b"po.chen" in line or b"off-003" in line or b"off-005" in line or b"off-006" in line for line in mine)
    refused_in_one_line(store, "analyst", "events", rule="may read the audit log")


@pytest.mark.slow
def test_verify_and_checkpoint_are_for_auditors_supervisors_and_admins(store: Staffed, tmp_path: Path) -> None:
    assert allowed(store, "auditor", "verify").startswith(b"intact: ")
    assert b'"position"' in allowed(store, "sup.hyb", "checkpoint", "--key", str(tmp_path / "key.pem"))
    refused_in_one_line(store, "analyst", "verify", rule="may verify or checkpoint the store")
    refused_in_one_line(store, "po.adams", "checkpoint", "--key", str(tmp_path / "other.pem"), rule="may verify or checkpoint the store")


# -- export de-identified / report: supervisor site; auditor ✔; analyst ✔; admin ✔
# -- export --identified: supervisor site; auditor ✔; admin ✔


def rows(csv_bytes: bytes) -> list[dict[str, str]]:
    """A CSV export as a CSV reader sees it (its first line is the header)."""
    return list(csv.DictReader(io.StringIO(csv_bytes.decode())))


@pytest.mark.slow
def test_exports_are_deidentified_unless_a_role_may_ask_otherwise(store: Staffed) -> None:
    pseudonymous = rows(allowed(store, "analyst", "export", "siu_stays"))
    assert pseudonymous and not any(row["offender"].startswith("off-") for row in pseudonymous)
    refused_in_one_line(store, "analyst", "export", "siu_stays", "--identified", rule="may export with offender ids")
    refused_in_one_line(store, "po.adams", "export", "workload", rule="may export projections")
    identified = rows(allowed(store, "auditor", "export", "siu_stays", "--identified"))
    assert {row["offender"] for row in identified} >= {"off-003"}
    site = rows(allowed(store, "sup.hyb", "export", "workload", "--identified"))
    assert site and {row["site"] for row in site} == {"on-hyb"}


# -- import, --keep-recorded, grant roles, register sites/officers: admin only


@pytest.mark.slow
def test_only_an_admin_imports_grants_and_registers(store: Staffed, tmp_path: Path) -> None:
    site = b'{"type":"SiteRegistered","occurred_at":"2026-03-20","site":"on-new","name":"New","kind":"ccc","region":"ontario","timezone":"America/Toronto"}\n'
    (tmp_path / "site.jsonl").write_bytes(site)
    refused_in_one_line(store, "sup.hyb", "import", str(tmp_path / "site.jsonl"), rule="only an admin may import events")
    refused_in_one_line(store, "po.adams", "import", "--keep-recorded", str(tmp_path / "site.jsonl"), rule="only an admin may import events")
    refused_in_one_line(store, "sup.hyb", "admin", "grant", "po.chen", "supervisor", "--site", "on-max", rule="only an admin may register sites")
    refused_to_record(
        store, "sup.hyb", p.OfficerRegistered(officer="po.new", name="New", site="on-hyb", role="institutional_po"), "only an admin may register sites"
    )
    allowed(store, store.admin, "import", str(tmp_path / "site.jsonl"))
    allowed(store, store.admin, "admin", "grant", "po.chen", "supervisor", "--site", "on-max")
    assert b"supervisor of on-max" in allowed(store, "po.chen", "whoami")


@pytest.mark.slow
def test_a_supervisor_cannot_undo_an_admins_registration_or_anyones_grant(store: Staffed) -> None:
    log = list(read_log(open_application(store.url)))
    site = next(e.position for e in log if e.type == "SiteRegistered" and e.envelope.data.site == "on-hyb")
    officer = next(e.position for e in log if e.type == "OfficerRegistered" and e.envelope.data.officer == "po.adams")
    grant = next(e.position for e in log if e.type == "RoleGranted" and e.envelope.data.user == "sup.hyb")
    refused_in_one_line(store, "sup.hyb", "retract", str(site), "--reason", "x", rule=f"position {site} is a SiteRegistered: only an admin may retract it")
    refused_in_one_line(store, "sup.hyb", "retract", str(officer), "--reason", "x", rule="is a OfficerRegistered: only an admin may retract it")
    before = store.head()
    done = store.cli(store.admin, "retract", str(grant), "--reason", "wrong person")
    assert done.returncode == 2 and "who may do what is changed by revoking a role" in done.stderr.decode()
    assert store.head() == before


@pytest.mark.slow
def test_the_first_user_is_admin_until_revoked_and_an_empty_database_store_has_only_its_owner(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """SQLite: hq.admin imports first (admin); revoking admin from hq.admin takes it away.
    PostgreSQL: an empty store after init-roles — a user login is no admin (only the owner is)."""
    lite = staffed(f"sqlite:///{tmp_path}/first.db")
    allowed(lite, lite.admin, "admin", "grant", "po.chen", "admin")
    allowed(lite, "po.chen", "admin", "revoke", lite.admin, "admin")
    refused_in_one_line(lite, lite.admin, "admin", "grant", "po.adams", "auditor", rule="hq.admin (no role)")
    server = request.getfixturevalue("postgres_server")
    url = server.create_database("empty_after_init_roles")
    empty = Staffed(url, "postgres")
    with psycopg.connect(url, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_roles WHERE rolname = 'po.chen'").fetchone() is None:
            connection.execute('CREATE ROLE "po.chen" LOGIN')
    allowed(empty, "postgres", "admin", "init-roles", "--user", "po.chen")
    assert b"po.chen (no role)" in allowed(empty, "po.chen", "whoami")
    site = b'{"type":"SiteRegistered","occurred_at":"2026-03-20","site":"x","name":"X","kind":"ccc","region":"ontario","timezone":"America/Toronto"}\n'
    refused = empty.cli("po.chen", "import", "-", stdin=site)
    assert refused.returncode == 2 and b"only an admin may import events" in refused.stderr
    assert empty.head() == 0
