"""Shared pytest configuration. Areas add generic fixtures here with targeted edits."""

import pytest

from emulator_fixtures import (  # noqa: F401 - fixtures, re-exported for every test module
    api,
    control,
    emulator_control,
    emulator_http,
    emulator_state,
    emulator_transport,
    served_control,
    served_emulator,
    served_http,
)


@pytest.fixture(autouse=True)
def _own_load_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Each test gets an empty load cache of its own, never the working directory's."""
    monkeypatch.setenv("WAFORM_CACHE_DIR", str(tmp_path_factory.mktemp("load-cache")))


#: The served emulator listens on loopback; tests trust it the way a user would, from outside
#: waform.yaml (tests about untrusted hosts remove or replace this).
LOOPBACK_TRUST = "127.0.0.1 localhost ::1"


@pytest.fixture(autouse=True)
def _trust_loopback(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WAFORM_TRUSTED_HOSTS", LOOPBACK_TRUST)
