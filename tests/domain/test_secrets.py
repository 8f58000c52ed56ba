"""The secrets room (:mod:`caseledger.domain.secrets`): derived keys keep their bytes, the one
derivation function separates purposes, and every key file is created one way (0600 in a 0700
folder, whole or not at all, never replacing a key already there) — on real files."""

from __future__ import annotations

import base64
import hashlib
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path
from typing import Literal

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment
from hypothesis import given
from hypothesis import strategies as st

from caseledger.domain.errors import StoreURLError
from caseledger.domain.integrity.chain import entry_mac
from caseledger.domain.secrets import derive as derivations
from caseledger.domain.secrets.derive import LEDGER_MAC, MAX_KEY, Derivation, derive
from caseledger.domain.secrets.files import create_key_file
from caseledger.domain.secrets.keys import PLAIN, KeyFileError, cache_key, pseudonym_key_fingerprint, signing_key, store_key_fingerprint
from caseledger.domain.secrets.mac import CacheSeal
from caseledger.domain.settings import Settings
from caseledger.domain.store.cloak import Cloak
from caseledger.projections.readmodels.pseudonyms import pseudonym
from tests.support.paths import ROOT

# --------------------------------------------------------------------------- #
# Fixed vectors. Computed once by the code before the secrets room existed (commit e977ce4:
# `fingerprint` in domain/store/keys.py, `cache_key`/`CacheSeal` in domain/store/seal.py, the SIV
# key derived inside domain/store/cloak.py, `seal.derived("caseledger pseudonyms")` in
# projections/output/privacy.py), run on the inputs below; pasted here so stores, MACs, SIV
# ciphertexts and pseudonyms made before stay valid.
# --------------------------------------------------------------------------- #

STORE_KEY = base64.b64encode(bytes(range(32))).decode()  # "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
FILE_CACHE_KEY = bytes(range(100, 132))  # a plain store's cache key, as a key file holds it
LONG_CACHE_KEY = bytes(range(80))  # a key file longer than BLAKE2b's longest key
ROW = ["OFF-1", 30, b"\x00"]


def test_the_store_key_keeps_its_fingerprint() -> None:
    assert store_key_fingerprint(STORE_KEY) == "sha256:b99c56d692d4278ca96d6b57a43ab380"
    assert store_key_fingerprint(None) == store_key_fingerprint("") == PLAIN == "not encrypted"


def test_an_encrypted_stores_cache_key_mac_and_pseudonyms_keep_their_bytes() -> None:
    key = cache_key(STORE_KEY)
    assert key.hex() == "d126c3915c830690d73544673ef74bb8b3d158f00a2306753b51f3f8d9063532"
    seal = CacheSeal(key)
    assert seal.fingerprint == "cache 1ef8aad6f24f7c18a6532b36f182efbf"
    assert seal.mac("cl_addons", ROW).hex() == "d12224eedac32748d4b3014a32585f91"
    assert seal.valid("cl_addons", ROW, bytes.fromhex("d12224eedac32748d4b3014a32585f91"))
    assert seal.first_forged("cl_addons", [[*ROW, bytes.fromhex("d12224eedac32748d4b3014a32585f91")]]) is None
    # the pseudonym of a key (this one was, before the pseudonym key stopped deriving from the cache key)
    assert pseudonym(bytes.fromhex("607ca2ed58ec716db7ca3f5541d057ac188b74ee58c84e5a6d139401481af4fd"), "OFF-1") == "p-90e2817742f66f193207"


def test_a_plain_stores_cache_key_file_keeps_its_fingerprint() -> None:
    seal = CacheSeal(FILE_CACHE_KEY)
    assert seal.fingerprint == "cache eb60fa924025eb8c81e90945e3e1ad72"


def test_a_pseudonym_key_keeps_its_fingerprint() -> None:
    """Pinned when the pseudonym key got a file of its own (stores record it in ``cl_store_key``)."""
    assert pseudonym_key_fingerprint(FILE_CACHE_KEY) == "pseudonyms 3a3606c161fb868b6fd39c99dd649bfb"


def test_a_cache_key_longer_than_blake2bs_longest_key_seals_with_its_first_64_bytes() -> None:
    seal = CacheSeal(LONG_CACHE_KEY)
    assert seal.fingerprint == "cache 3a710e5f565ea6a4b48fd037fdf69112"
    assert seal.mac("cl_addons", ROW).hex() == "c8827d9618042723c3a8ec9cba568889"
    assert CacheSeal(LONG_CACHE_KEY[:MAX_KEY]).fingerprint == seal.fingerprint


def test_read_model_names_cloak_to_the_same_siv_ciphertext() -> None:
    cloak = Cloak(STORE_KEY, AESCipher(Environment(env={"CIPHER_KEY": STORE_KEY})))
    assert cloak.name("po.chen") == "evPtZA4HvQs-U2tGJ30HpA9VOcNVufg="
    assert Cloak(STORE_KEY, None).unname("evPtZA4HvQs-U2tGJ30HpA9VOcNVufg=") == "po.chen"


# --------------------------------------------------------------------------- #
# The one derivation function
# --------------------------------------------------------------------------- #


def test_every_derivation_has_a_label_of_its_own() -> None:
    registered = [value for value in vars(derivations).values() if isinstance(value, Derivation)]
    assert len(registered) == 5
    assert len({each.label for each in registered}) == len(registered)


def test_the_ledger_key_and_a_chain_entrys_mac_are_keyed_blake2b_as_documented() -> None:
    """The formulas of :mod:`caseledger.domain.integrity.chain` and :data:`LEDGER_MAC`, computed here
    with hashlib alone: a store's MACs are forever, so neither may change."""
    key = hashlib.blake2b(b"caseledger ledger mac", key=FILE_CACHE_KEY[:MAX_KEY], digest_size=32).digest()
    assert CacheSeal(FILE_CACHE_KEY).derived(LEDGER_MAC) == key
    head = bytes(range(32))
    assert entry_mac(key, 7, head, "po1") == hashlib.blake2b((7).to_bytes(8, "big") + head + (3).to_bytes(4, "big") + b"po1", key=key, digest_size=16).digest()
    assert entry_mac(key, 7, head, None) == hashlib.blake2b((7).to_bytes(8, "big") + head + bytes(4), key=key, digest_size=16).digest()
    assert entry_mac(key, 8, head, None) != entry_mac(key, 7, head, None)


labels = st.binary(min_size=1, max_size=MAX_KEY)


@given(secret=st.binary(min_size=16, max_size=MAX_KEY), first=labels, second=labels, keyed_by=st.sampled_from(["label", "secret"]), size=st.integers(16, 64))
def test_distinct_labels_derive_distinct_keys_of_the_size_asked(
    secret: bytes, first: bytes, second: bytes, keyed_by: Literal["label", "secret"], size: int
) -> None:
    one, other = derive(secret, Derivation(first, size, keyed_by)), derive(secret, Derivation(second, size, keyed_by))
    assert len(one) == len(other) == size
    assert (one == other) == (first == second)


@given(first=st.binary(min_size=16, max_size=MAX_KEY), second=st.binary(min_size=16, max_size=MAX_KEY))
def test_distinct_secrets_derive_distinct_keys_under_one_label(first: bytes, second: bytes) -> None:
    for derivation in (derivations.CACHE_KEY, derivations.PSEUDONYM_KEY_FINGERPRINT):
        assert (derive(first, derivation) == derive(second, derivation)) == (first == second)


# --------------------------------------------------------------------------- #
# Key files, created one way
# --------------------------------------------------------------------------- #


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty user config folder (platformdirs reads ``XDG_CONFIG_HOME``), no cache key file given."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("CASELEDGER_CACHE_KEY_FILE", raising=False)
    return tmp_path / "config"


def test_the_cache_key_file_is_created_0600_in_a_0700_folder_and_kept(config_home: Path) -> None:
    key = cache_key(None)
    path = config_home / "caseledger" / "cache-key"
    assert path == Settings.current().default_cache_key_file
    assert (mode(config_home), mode(path.parent), mode(path)) == (0o700, 0o700, 0o600)
    assert base64.b64decode(path.read_text().strip(), validate=True) == key and len(key) == 32
    assert cache_key(None) == key  # read back, not made anew
    assert sorted(each.name for each in path.parent.iterdir()) == ["cache-key"]  # nothing left aside


def test_the_checkpoint_key_file_is_created_0600_in_0700_folders(config_home: Path, tmp_path: Path) -> None:
    default = Settings.current().default_checkpoint_key_file
    assert default == config_home / "caseledger" / "checkpoint-ed25519.pem"
    chosen = tmp_path / "keys" / "nested" / "signing.pem"  # checkpoint --key in folders not there yet
    for path in (default, chosen):
        key = signing_key(path)
        assert mode(path) == 0o600
        assert all(mode(folder) == 0o700 for folder in (path.parent, path.parent.parent))
        assert signing_key(path).public_key().public_bytes_raw() == key.public_key().public_bytes_raw()
        assert sorted(each.name for each in path.parent.iterdir()) == [path.name]


def test_a_folder_already_there_keeps_its_mode(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    signing_key(folder / "signing.pem")
    assert (mode(folder), mode(folder / "signing.pem")) == (0o755, 0o600)


def test_a_key_file_already_there_is_never_replaced_even_when_it_is_garbage(config_home: Path, tmp_path: Path) -> None:
    garbage = b"half a ke"
    cache_file = config_home / "caseledger" / "cache-key"
    cache_file.parent.mkdir(parents=True)
    cache_file.write_bytes(garbage)
    with pytest.raises(StoreURLError, match="not a cache key"):
        cache_key(None)
    pem = tmp_path / "signing.pem"
    pem.write_bytes(garbage)
    with pytest.raises(KeyFileError, match="not an Ed25519 private key"):
        signing_key(pem)
    create_key_file(pem, b"another key\n")
    assert cache_file.read_bytes() == pem.read_bytes() == garbage
    assert sorted(each.name for each in tmp_path.iterdir()) == ["config", "signing.pem"]


def test_a_given_cache_key_file_is_never_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASELEDGER_CACHE_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(StoreURLError, match=r"CASELEDGER_CACHE_KEY_FILE .*missing: No such file or directory"):
        cache_key(None)
    assert list(tmp_path.iterdir()) == []


CRASH_WHILE_WRITING = """
import resource, signal, sys
from pathlib import Path
from caseledger.domain.secrets.files import create_key_file
signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # the kernel kills a process that writes past its file size limit
resource.setrlimit(resource.RLIMIT_FSIZE, (100, 100))
create_key_file(Path(sys.argv[1]), b"k" * 4096)
"""


@pytest.mark.slow
@pytest.mark.parametrize("before", [None, b"the key already there\n"])
def test_a_process_killed_while_writing_a_key_leaves_no_part_of_it(tmp_path: Path, before: bytes | None) -> None:
    """A real crash: the kernel kills the writer mid-write (SIGXFSZ, past a 100-byte file size limit)."""
    path = tmp_path / "keys" / "cache-key"
    if before is not None:
        path.parent.mkdir()
        path.write_bytes(before)
    done = subprocess.run([sys.executable, "-c", CRASH_WHILE_WRITING, str(path)], cwd=ROOT, capture_output=True, check=False, timeout=60)
    assert done.returncode == -signal.SIGXFSZ, done.stderr
    if before is None:
        assert not path.exists()
    else:
        assert path.read_bytes() == before
    (aside,) = [each for each in path.parent.iterdir() if each.name != "cache-key"]
    assert aside.name.startswith(".cache-key.") and aside.stat().st_size == 100  # the part written went aside


@pytest.mark.slow
def test_processes_creating_the_cache_key_at_once_all_use_the_first(config_home: Path) -> None:
    code = "from caseledger.domain.secrets.keys import cache_key; print(cache_key(None).hex())"
    env = {**os.environ, "XDG_CONFIG_HOME": str(config_home)}
    env.pop("CASELEDGER_CACHE_KEY_FILE", None)
    processes = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE) for _ in range(4)]
    keys = {process.communicate(timeout=60)[0].decode().strip() for process in processes}
    assert all(process.returncode == 0 for process in processes)
    path = config_home / "caseledger" / "cache-key"
    assert keys == {base64.b64decode(path.read_text()).hex()}
    assert sorted(each.name for each in path.parent.iterdir()) == ["cache-key"]


def test_a_created_signing_key_is_an_ed25519_pem(tmp_path: Path) -> None:
    key = signing_key(tmp_path / "signing.pem")
    loaded = serialization.load_pem_private_key((tmp_path / "signing.pem").read_bytes(), password=None)
    assert isinstance(loaded, Ed25519PrivateKey)
    assert loaded.public_key().public_bytes_raw() == key.public_key().public_bytes_raw()
