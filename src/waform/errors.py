"""Exceptions that end a command with a one-line message and a non-zero exit (no traceback)."""

from __future__ import annotations


class WaformError(Exception):
    """A user-facing failure. ``str(err)`` is the whole message: one line, no secrets.

    ``detail`` is what happened without naming the call or template (``str(err)`` names them),
    for reports that already say which template and operation failed (apply's failure lines).
    """

    exit_code = 1

    def __init__(self, message: str = "", *, detail: str | None = None) -> None:
        super().__init__(message)
        self.detail = detail or message


class ConfigError(WaformError):
    """waform.yaml is missing, malformed, or names something that does not exist."""


class ApiError(WaformError):
    """The Sinch API answered with an error (after any retries)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_code: str | None = None,
        resolution: str | None = None,
        request: str | None = None,
        additional: dict | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message, detail=detail)
        self.status = status
        self.error_code = error_code
        self.resolution = resolution
        self.request = request
        self.additional = additional or {}


class TransportError(WaformError):
    """The API could not be reached (after any retries)."""


class UnknownOutcomeError(TransportError):
    """A write may or may not have been processed (timeout, dropped connection, 5xx).

    Raised instead of retrying blindly, so the applier can look (GET) before writing again.
    ``answer`` is the API's error answer that left the outcome unknown (a 5xx), if any.
    """

    def __init__(
        self, message: str = "", *, detail: str | None = None, answer: ApiError | None = None
    ) -> None:
        super().__init__(message, detail=detail)
        self.answer = answer


class PlanError(WaformError):
    """A plan cannot be used: stale, unsafe, or unreadable."""
