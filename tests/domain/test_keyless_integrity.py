"""Issue #23, F7: on an encrypted store, ``verify``, ``checkpoint`` and ``status`` work without the
store key, as docs/security.md promises — their permission check reads who holds which role from
the access events (``RoleGranted``, ``RoleRevoked``, ``UserLinked``), which are stored unencrypted
for that reason; everything else still needs the key.

The store: the scenario imported by its admin with a key, then each person of
:data:`tests.support.people.PEOPLE` granted a role (the auditor ``auditor``, the analyst
``analyst``, …). Then, with no key at all: the auditor verifies (the chain, 72 scenario events
+ 7 grants and links = 79), signs a checkpoint, and reads the status; the analyst, whose role may
not verify, is refused by the same check (so the roles really were read, not skipped); the
auditor's ``events`` (payloads) is refused for want of the key. The raw events table holds the
grants' roles in plain text and none of the scenario's offender ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eventsourcing.cryptography import AESCipher

from tests.support.people import Staffed, staffed
from tests.support.tampering import sql

NO_KEY = {"CASELEDGER_KEY": "", "CASELEDGER_KEY_FILE": ""}


@pytest.fixture
def encrypted(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Staffed]:
    monkeypatch.delenv("CASELEDGER_KEY_FILE", raising=False)
    monkeypatch.setenv("CASELEDGER_KEY", AESCipher.create_key(32))
    yield staffed(store_url)


def one_line(done: object) -> list[str]:
    stderr: bytes = getattr(done, "stderr")  # noqa: B009 — a CompletedProcess
    return stderr.decode().strip().splitlines()


@pytest.mark.slow
def test_verify_checkpoint_and_status_need_no_store_key(encrypted: Staffed, tmp_path: Path) -> None:
    verified = encrypted.cli("auditor", "verify", env=NO_KEY)
    assert verified.returncode == 0 and verified.stdout.decode().startswith("intact: 79 events, head position 79,"), one_line(verified)
    signed = encrypted.cli("auditor", "checkpoint", "--key", str(tmp_path / "auditor.pem"), "--output", str(tmp_path / "cp.json"), env=NO_KEY)
    assert signed.returncode == 0 and b'"position": 79' in (tmp_path / "cp.json").read_bytes(), one_line(signed)
    pinned = ("--checkpoint", str(tmp_path / "cp.json"), "--public-key", str(tmp_path / "auditor.pem"))
    assert encrypted.cli("auditor", "verify", *pinned, env=NO_KEY).returncode == 0
    status = encrypted.cli("auditor", "status", env=NO_KEY)
    assert status.returncode == 0 and "head position:  79" in status.stdout.decode(), one_line(status)


@pytest.mark.slow
def test_without_the_key_the_roles_still_refuse_and_payloads_stay_closed(encrypted: Staffed) -> None:
    refused = encrypted.cli("analyst", "verify", env=NO_KEY)
    assert refused.returncode == 2 and one_line(refused) == [
        "caseledger: refused: only a supervisor, an auditor or an admin may verify or checkpoint the store; analyst (analyst)"
    ]
    events = encrypted.cli("auditor", "events", env=NO_KEY)
    assert events.returncode == 2 and len(one_line(events)) == 1 and "set CASELEDGER_KEY" in one_line(events)[0]
    states = [bytes(row[0]) for row in sql(encrypted.url, "SELECT state FROM stored_events")]
    assert sum(b'"role":"auditor"' in state for state in states) == 1  # the auditor's grant, in plain text
    assert not any(b"off-001" in state or b"Bath Institution" in state for state in states)
