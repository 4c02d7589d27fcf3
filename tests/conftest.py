"""Every test runs with its own store and config folder, never the user's real data."""

import pytest


@pytest.fixture(autouse=True)
def _private_store(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("callsim-home")
    monkeypatch.setenv("CALLSIM_DB", str(home / "callsim.db"))
    monkeypatch.setenv("CALLSIM_CONFIG_DIR", str(home / "config"))
    monkeypatch.delenv("CALLSIM_TRAINEE", raising=False)
