"""The settings object (:mod:`caseledger.domain.settings`): each variable's meaning and
precedence, read from an environment handed to it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from caseledger.cli.main import main
from caseledger.domain.settings import SettingError, Settings


def test_an_empty_environment_gives_the_defaults_in_the_users_folders(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    settings = Settings.current({})
    assert settings.store == f"sqlite:///{tmp_path / 'data' / 'caseledger' / 'caseledger.db'}"
    assert (settings.user, settings.key, settings.key_file, settings.cache_key_file, settings.debug) == (None, None, None, None, False)
    assert (settings.postgres_user, settings.postgres_password) == ("postgres", "")
    assert settings.default_cache_key_file == tmp_path / "config" / "caseledger" / "cache-key"
    assert settings.default_checkpoint_key_file == tmp_path / "config" / "caseledger" / "checkpoint-ed25519.pem"


def test_each_variable_sets_its_field() -> None:
    settings = Settings.current(
        {
            "CASELEDGER_STORE": "postgresql://po@db/ledger",
            "CASELEDGER_USER": "po.chen",
            "CASELEDGER_KEY": "a2V5",
            "CASELEDGER_KEY_FILE": "./keys//store.key",
            "CASELEDGER_CACHE_KEY_FILE": "/keys/cache-key",
            "CASELEDGER_DEBUG": "0",
            "USER": "chen",
            "PGPASSWORD": "s3cret",
        }
    )
    assert settings.store == "postgresql://po@db/ledger"
    assert (settings.user, settings.key) == ("po.chen", "a2V5")
    assert settings.key_file == "./keys//store.key"  # as written: error messages quote it so
    assert settings.cache_key_file == Path("/keys/cache-key")
    assert settings.debug  # any value at all, "0" too
    assert (settings.postgres_user, settings.postgres_password) == ("chen", "s3cret")


def test_an_empty_caseledger_variable_counts_as_unset() -> None:
    names = ("CASELEDGER_STORE", "CASELEDGER_USER", "CASELEDGER_KEY", "CASELEDGER_KEY_FILE", "CASELEDGER_CACHE_KEY_FILE", "CASELEDGER_DEBUG")
    assert Settings.current(dict.fromkeys(names, "")) == Settings.current({})


def test_the_postgres_login_falls_back_only_when_user_is_not_set_at_all() -> None:
    """``USER=""`` is passed on as an empty login, not replaced by the ``postgres`` default."""
    assert Settings.current({"USER": ""}).postgres_user == ""


def _config(monkeypatch: pytest.MonkeyPatch, folder: Path, text: str) -> Path:
    """``text`` as the user config file of a user config folder under ``folder``."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    (folder / "caseledger").mkdir(parents=True, exist_ok=True)
    path = folder / "caseledger" / "config.toml"
    path.write_text(text)
    return path


def test_the_user_config_file_sets_what_the_environment_does_not(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The file gives the store, the key file and the lock timeout; the environment's store wins
    over the file's; a setting neither gives keeps its default."""
    _config(monkeypatch, tmp_path, 'store = "postgresql://po@db/ledger"\nkey_file = "/secure/store.key"\nlock_timeout = 30\n')
    from_file = Settings.current({})
    assert (from_file.store, from_file.key_file, from_file.lock_timeout_seconds) == ("postgresql://po@db/ledger", "/secure/store.key", 30)
    assert (from_file.user, from_file.cache_key_file, from_file.checkpoint_public_key) == (None, None, None)
    both = Settings.current({"CASELEDGER_STORE": "sqlite:////srv/site.db"})
    assert (both.store, both.key_file) == ("sqlite:////srv/site.db", "/secure/store.key")


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ('store = "a"\nstore = "b"\n', "not TOML: .* line 2, .*"),  # tomllib's own words, with the line
        (
            'stor = "sqlite:////srv/site.db"\n',
            re.escape(
                "stor: no such setting (it may hold store, user, key_file, cache_key_file, pseudonym_key_file, checkpoint_public_key, lock_timeout, export_dir)"
            ),
        ),
        ('key = "a2V5"\n', re.escape("key: a key is never written in the config file: put it in a file of its own and name it with key_file")),
        ("lock_timeout = true\n", re.escape("lock_timeout: a text in quotes or a whole number, not True")),
        ('user = ["po.chen"]\n', re.escape("user: a text in quotes, not ['po.chen']")),
    ],
)
def test_a_config_file_that_cannot_be_read_is_refused_naming_the_file_and_the_line_or_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, refusal: str
) -> None:
    path = _config(monkeypatch, tmp_path, text)
    with pytest.raises(SettingError) as refused:
        Settings.current({})
    assert re.fullmatch(f"{re.escape(str(path))}: {refusal}", str(refused.value))
    assert main(["status"]) == 2  # the command line says it in one line, before any store is opened
    assert capsys.readouterr().err == f"caseledger: {refused.value}\n"
