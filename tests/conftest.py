"""Shared pytest configuration. Areas add generic fixtures here with targeted edits."""

import pytest

from emulator_fixtures import (  # noqa: F401 - fixtures, re-exported for every test module
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
