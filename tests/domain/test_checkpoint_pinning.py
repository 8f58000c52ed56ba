"""Issue #23, F5: ``verify --checkpoint`` proves nothing about who signed the checkpoint unless the
signer's public key is pinned — a checkpoint carries its own public key, so anyone who can sign
with a fresh key can make one that matches a rewritten log.

The scenario: the log is checkpointed by its auditor (their key, ``auditor.pem``), and someone
else signs a checkpoint of the same log with a freshly generated key (``stranger.pem``). Without a
pin, ``verify --checkpoint`` refuses in one line (exit 2, no verdict): never "intact" against an
unknown signer. With the auditor's key pinned (``--public-key``, or
``CASELEDGER_CHECKPOINT_PUBLIC_KEY``), the stranger's checkpoint fails and the auditor's passes.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives import serialization

from caseledger.application.imports import import_lines
from caseledger.cli.main import main
from caseledger.domain.integrity.checkpoint import make_checkpoint
from caseledger.domain.secrets.keys import signing_key
from caseledger.domain.settings import PUBLIC_KEY_VARIABLE as PIN
from caseledger.domain.settings import Settings
from caseledger.domain.store.application import open_application
from tests.support.paths import SCENARIO


def public_pem(private: Path, to: Path) -> Path:
    """The public half of the Ed25519 key in ``private``, written as a PEM file ``to``."""
    to.write_bytes(signing_key(private).public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return to


@pytest.fixture
def checkpoints(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path, Path, Path]:
    """The store, the auditor's checkpoint, a stranger's checkpoint of the same log, and the
    auditor's public key file."""
    monkeypatch.delenv(PIN, raising=False)
    app = open_application(store_url)
    import_lines(app, SCENARIO.read_bytes().splitlines(), "importer")
    made = {}
    for signer in ("auditor", "stranger"):  # signing_key creates a fresh Ed25519 key in each file
        made[signer] = tmp_path / f"{signer}.json"
        made[signer].write_bytes(msgspec.json.encode(make_checkpoint(app, tmp_path / f"{signer}.pem")))
    return store_url, made["auditor"], made["stranger"], public_pem(tmp_path / "auditor.pem", tmp_path / "auditor.pub.pem")


def verify(url: str, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, list[str]]:
    rc = main(["--store", url, "verify", *args])
    out, err = capsys.readouterr()
    return rc, out, err.strip().splitlines()


def test_a_checkpoint_is_refused_without_a_pinned_key_whoever_signed_it(checkpoints: tuple[str, Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    url, auditors, strangers, _pub = checkpoints
    for checkpoint in (strangers, auditors):
        rc, out, err = verify(url, "--checkpoint", str(checkpoint), capsys=capsys)
        assert (rc, out) == (2, "")
        assert len(err) == 1 and err[0].startswith("caseledger: --public-key: ") and PIN in err[0], err


def test_a_strangers_checkpoint_fails_against_the_pinned_key_and_the_auditors_passes(
    checkpoints: tuple[str, Path, Path, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, auditors, strangers, pub = checkpoints
    rc, out, err = verify(url, "--checkpoint", str(strangers), "--public-key", str(pub), capsys=capsys)
    assert (rc, out) == (2, "") and err == ["caseledger: the checkpoint was signed with a different key than the pinned one"]
    rc, out, err = verify(url, "--checkpoint", str(auditors), "--public-key", str(pub), capsys=capsys)
    assert rc == 0 and out.startswith("intact: 72 events, head position 72,"), (out, err)

    monkeypatch.setenv(PIN, str(pub))  # pinned in the settings: the same verdicts without the flag
    assert verify(url, "--checkpoint", str(strangers), capsys=capsys)[0] == 2
    assert verify(url, "--checkpoint", str(auditors), capsys=capsys)[0] == 0
    monkeypatch.setenv(PIN, str(pub.with_name("absent.pem")))  # a pin that cannot be read is a refusal, not "no pin"
    rc, out, err = verify(url, "--checkpoint", str(auditors), capsys=capsys)
    assert (rc, out) == (2, "") and len(err) == 1 and "absent.pem" in err[0] and PIN in err[0], err


def test_the_pin_setting_is_a_path_and_empty_is_unset() -> None:
    assert Settings.current({PIN: "keys/auditor.pub.pem"}).checkpoint_public_key == Path("keys/auditor.pub.pem")
    assert Settings.current({PIN: ""}).checkpoint_public_key is None
