"""The login token lives in the OS keyring, or only in memory when there is none."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from client.credentials import TokenVault
from tests.conftest import MemoryKeyring


def test_token_goes_to_the_keyring(isolated_environment: MemoryKeyring) -> None:
    vault = TokenVault()
    assert vault.persistent
    vault.save("demo", "tok-123")
    assert isolated_environment.passwords[("sweepline", "demo")] == "tok-123"
    assert TokenVault().load("demo") == "tok-123"
    vault.forget("demo")
    assert TokenVault().load("demo") is None


def test_the_refresh_token_is_kept_beside_the_access_token(
    isolated_environment: MemoryKeyring,
) -> None:
    vault = TokenVault()
    vault.save("demo", "access-1", "refresh-1")
    fresh = TokenVault()  # a restarted tablet
    assert (fresh.load("demo"), fresh.load_refresh("demo")) == ("access-1", "refresh-1")
    vault.save("demo", "access-2", "refresh-2")  # rotated by a refresh
    assert TokenVault().load_refresh("demo") == "refresh-2"
    vault.forget("demo")
    assert TokenVault().load_refresh("demo") is None
    assert isolated_environment.passwords == {}


def test_without_a_keyring_the_token_stays_in_memory_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyring.set_keyring(fail.Keyring())
    vault = TokenVault()
    assert not vault.persistent
    vault.save("demo", "secret-token-xyz")
    assert vault.load("demo") == "secret-token-xyz"
    # a new process (a new vault) does not find it: nothing was written anywhere
    assert TokenVault().load("demo") is None
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert b"secret-token-xyz" not in path.read_bytes(), path
