"""Shared pytest configuration. Areas add generic fixtures here with targeted edits."""

from emulator_fixtures import (  # noqa: F401 - fixtures, re-exported for every test module
    emulator_control,
    emulator_http,
    emulator_state,
    emulator_transport,
    served_control,
    served_emulator,
    served_http,
)
