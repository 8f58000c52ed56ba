"""The settings object (:mod:`caseledger.domain.settings`): each variable's meaning and
precedence, read from an environment handed to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseledger.domain.settings import Settings


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
