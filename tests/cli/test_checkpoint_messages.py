"""What ``checkpoint`` and ``verify --checkpoint`` tell the auditor (issue #24, point 5):
``checkpoint`` says once, on standard error (standard output may be the checkpoint itself), that
it created a signing key and where; ``verify --checkpoint`` says on standard output, below the
chain's line, that the checkpoint matched, when it was signed, and by which key — its fingerprint
and where it was pinned from (``--public-key`` or the setting)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from caseledger.cli.main import main
from caseledger.domain.settings import PUBLIC_KEY_VARIABLE
from tests.support.paths import SCENARIO

EVENTS = len(SCENARIO.read_bytes().splitlines())


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user config folder of the test's own (where the checkpoint key is created), one login."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("LOGNAME", "clerk")
    monkeypatch.delenv(PUBLIC_KEY_VARIABLE, raising=False)
    return tmp_path / "config" / "caseledger"


def _run(url: str, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--store", url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def _imported(url: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert _run(url, capsys, "import", str(SCENARIO))[0] == 0
    return url


def _public_half(private: Path, to: Path) -> str:
    """Write the PEM public half of ``private`` to ``to``; return its fingerprint, computed here as
    ``openssl pkey -pubin -in TO -outform DER | openssl dgst -sha256 -binary | base64`` would."""
    key = serialization.load_pem_private_key(private.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    public = key.public_key()
    to.write_bytes(public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "SHA256:" + base64.b64encode(hashlib.sha256(der).digest()).decode().rstrip("=")


def _signed_at(checkpoint: Path) -> str:
    created = dt.datetime.fromisoformat(msgspec.json.decode(checkpoint.read_bytes())["created_at"])
    return created.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def test_checkpoint_says_once_that_it_created_the_default_signing_key(store_url: str, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = _imported(store_url, capsys)
    key = config / "checkpoint-ed25519.pem"
    code, out, err = _run(url, capsys, "checkpoint")
    assert code == 0 and key.is_file()
    assert f"caseledger: created a new signing key {key} (" in err and err.count("created a new signing key") == 1, err
    assert msgspec.json.decode(out)["position"] == EVENTS  # standard output is the checkpoint alone
    code, out, err = _run(url, capsys, "checkpoint")
    assert code == 0 and "signing key" not in err and msgspec.json.decode(out)["position"] == EVENTS


def test_checkpoint_says_where_it_created_a_key_named_by_key(sqlite_url: str, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = _imported(sqlite_url, capsys)
    named = tmp_path / "keys" / "signing.pem"
    named.parent.mkdir()
    code, _out, err = _run(url, capsys, "checkpoint", "--key", str(named), "-o", str(tmp_path / "first.json"))
    assert code == 0 and f"created a new signing key {named} (" in err, err
    assert not (config / "checkpoint-ed25519.pem").exists()
    code, _out, err = _run(url, capsys, "checkpoint", "--key", str(named), "-o", str(tmp_path / "second.json"))
    assert code == 0 and "signing key" not in err and "written to" in err


def test_verify_says_the_checkpoint_matched_and_by_whose_key_pinned_by_the_flag(
    store_url: str, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _imported(store_url, capsys)
    checkpoint, signing, public = tmp_path / "head.json", tmp_path / "signing.pem", tmp_path / "public.pem"
    assert _run(url, capsys, "checkpoint", "--key", str(signing), "-o", str(checkpoint))[0] == 0
    fingerprint = _public_half(signing, public)
    code, out, _err = _run(url, capsys, "verify", "--checkpoint", str(checkpoint), "--public-key", str(public))
    assert code == 0
    intact, matched = out.splitlines()[:2]
    assert intact.startswith(f"intact: {EVENTS} events, head position {EVENTS},")
    assert matched == (
        f"checkpoint at position {EVENTS} (signed {_signed_at(checkpoint)}) matches: signed by key {fingerprint} (pinned by --public-key: {public})"
    )
    code, out, _err = _run(url, capsys, "verify")
    assert code == 0 and out.startswith("intact: ") and "checkpoint" not in out  # plain verify says nothing of a checkpoint


def test_verify_names_the_setting_that_pinned_the_key(
    sqlite_url: str, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _imported(sqlite_url, capsys)
    checkpoint, signing, public = tmp_path / "head.json", tmp_path / "signing.pem", tmp_path / "public.pem"
    assert _run(url, capsys, "checkpoint", "--key", str(signing), "-o", str(checkpoint))[0] == 0
    fingerprint = _public_half(signing, public)
    monkeypatch.setenv(PUBLIC_KEY_VARIABLE, str(public))
    code, out, _err = _run(url, capsys, "verify", "--checkpoint", str(checkpoint), "--since-checkpoint")
    assert code == 0
    assert out.splitlines()[1] == (
        f"checkpoint at position {EVENTS} (signed {_signed_at(checkpoint)}) matches: signed by key {fingerprint} (pinned by {PUBLIC_KEY_VARIABLE}: {public})"
    )


def test_a_checkpoint_signed_by_another_key_says_no_match(sqlite_url: str, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = _imported(sqlite_url, capsys)
    checkpoint, signing, other = tmp_path / "head.json", tmp_path / "signing.pem", tmp_path / "other.pem"
    assert _run(url, capsys, "checkpoint", "--key", str(signing), "-o", str(checkpoint))[0] == 0
    other.write_bytes(Ed25519PrivateKey.generate().public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    code, out, err = _run(url, capsys, "verify", "--checkpoint", str(checkpoint), "--public-key", str(other))
    assert code == 2 and "matches" not in out and err.count("\n") == 1 and "different key than the pinned one" in err
