"""A typed helper for the control API (``/_emulator/…``), over HTTP, for tests and demos.

One class serves both worlds: give it an ``httpx.Client`` and every method returns the result;
give it an ``httpx.AsyncClient`` and every method returns an awaitable::

    control = EmulatorControl.connect("http://127.0.0.1:8765")     # a served emulator
    control = EmulatorControl.in_process(tmp_path / "state.sqlite3") # same file as the CLI
    control.complete_reviews("p1")                                   # approve what is pending
    control.set_faults(seed=7, drop_rate=0.2, methods=["POST"])      # arm faults
    control.advance(days=31)                                         # let blocks expire

    actl = EmulatorControl(async_client)                             # async tests
    await actl.set_state("p1", "order_shipped", "EN_US", "PAUSED")

A control call that fails raises :class:`ControlError` (status + the PAPI body).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from waform.emulator.settings import CONTROL_TOKEN_HEADER, EmulatorSettings


class ControlError(RuntimeError):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"control API answered {status}: {body}")
        self.status = status
        self.body = body


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _result(response: httpx.Response, pick: str | None) -> Any:
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = response.text
    if response.status_code >= 400:
        raise ControlError(response.status_code, body)
    return body[pick] if pick and isinstance(body, dict) else body


class EmulatorControl:
    """Control-API calls; sync or async depending on the client it wraps."""

    def __init__(self, client: httpx.Client | httpx.AsyncClient) -> None:
        self.client = client

    @classmethod
    def connect(
        cls, base_url: str, *, token: str | None = None, **client_options: Any
    ) -> EmulatorControl:
        """A served emulator; ``token`` is needed when it is not reached over loopback."""
        if token is not None:
            headers = {**client_options.pop("headers", {}), CONTROL_TOKEN_HEADER: token}
            client_options["headers"] = headers
        return cls(httpx.Client(base_url=base_url, timeout=30.0, **client_options))

    @classmethod
    def in_process(
        cls, state_path: str | Path, *, settings: EmulatorSettings | None = None
    ) -> EmulatorControl:
        """Control an in-process emulator on ``state_path`` (shared with CLI commands)."""
        from waform.emulator.transport import EMBEDDED_BASE_URL, SyncEmbeddedTransport

        transport = SyncEmbeddedTransport.open(state_path, settings=settings)
        return cls(httpx.Client(base_url=EMBEDDED_BASE_URL, transport=transport))

    def close(self) -> Any:
        return (
            self.client.close() if isinstance(self.client, httpx.Client) else self.client.aclose()
        )

    def __enter__(self) -> EmulatorControl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _do(
        self,
        method: str,
        path: str,
        json: Any = None,
        *,
        params: dict[str, str] | None = None,
        pick: str | None = None,
    ) -> Any:
        if isinstance(self.client, httpx.AsyncClient):
            client = self.client

            async def run() -> Any:
                return _result(await client.request(method, path, json=json, params=params), pick)

            return run()
        return _result(self.client.request(method, path, json=json, params=params), pick)

    # ------------------------------------------------------------------ emulator

    def health(self) -> Any:
        return self._do("GET", "/_emulator/health")

    def reset(self) -> Any:
        return self._do("POST", "/_emulator/reset")

    def now(self) -> Any:
        """The emulator clock (epoch seconds)."""
        return self._do("GET", "/_emulator/clock", pick="now")

    def advance(self, seconds: float = 0.0, *, days: float = 0.0) -> Any:
        """Move the emulator clock forward (due reviews are settled at once)."""
        return self._do(
            "POST", "/_emulator/clock/advance", {"seconds": seconds, "days": days}, pick="now"
        )

    def set_clock(self, epoch: float) -> Any:
        return self._do("POST", "/_emulator/clock/set", {"now": epoch}, pick="now")

    def set_review_delay(self, seconds: float) -> Any:
        return self._do("PUT", "/_emulator/settings", {"reviewDelaySeconds": seconds})

    def set_rewrites(
        self,
        *,
        literal: bool | None = None,
        missing_examples: list[str] | None = None,
        percent_encoded_urls: list[str] | None = None,
    ) -> Any:
        """Meta's rewrites on read (:mod:`waform.emulator.meta`): ``literal=True`` echoes
        content as sent; the two lists are template-name globs of the scenario switches."""
        body = {
            "literal": literal,
            "missingExamples": missing_examples,
            "percentEncodedUrls": percent_encoded_urls,
        }
        return self._do(
            "PUT", "/_emulator/settings", {k: v for k, v in body.items() if v is not None}
        )

    def set_faults(self, **config: Any) -> Any:
        """Arm faults: ``seed``, ``locked_rate``, ``throttle_rate``, ``error_rate``,
        ``error_after_rate``, ``drop_rate``, ``late_rate``, ``late_ms``, ``latency_ms``,
        ``latency_jitter_ms``,
        ``retry_after``, ``methods``, ``path_regex``, ``script`` (see ``faults``)."""
        body = {_camel(k): v for k, v in config.items()}
        return self._do("PUT", "/_emulator/faults", body, pick="faults")

    def clear_faults(self) -> Any:
        return self._do("DELETE", "/_emulator/faults")

    def set_rate_limit(self, requests_per_second: float) -> Any:
        return self._do("PUT", "/_emulator/rate-limit", {"requestsPerSecond": requests_per_second})

    def clear_rate_limit(self) -> Any:
        return self._do("DELETE", "/_emulator/rate-limit")

    def requests(self, project: str | None = None) -> Any:
        """The request log (oldest first): dicts with method, path, query, status, fault."""
        path = (
            "/_emulator/requests" if project is None else f"/_emulator/projects/{project}/requests"
        )
        return self._do("GET", path, pick="requests")

    def clear_requests(self, project: str | None = None) -> Any:
        path = (
            "/_emulator/requests" if project is None else f"/_emulator/projects/{project}/requests"
        )
        return self._do("DELETE", path)

    def init_project(self, project: str) -> Any:
        return self._do("POST", f"/_emulator/projects/{project}")

    # ------------------------------------------------------------------ Meta's side

    def complete_reviews(
        self,
        project: str,
        name: str | None = None,
        language: str | None = None,
        *,
        outcome: str | None = None,
        rejection_code: str | None = None,
        category: str | None = None,
    ) -> Any:
        """Decide pending reviews now (by the documented rules unless ``outcome`` forces one).
        Returns the finished templates."""
        body = {
            "name": name,
            "language": language,
            "outcome": outcome,
            "rejectionCode": rejection_code,
            "category": category,
        }
        return self._do(
            "POST",
            f"/_emulator/projects/{project}/reviews/complete",
            {k: v for k, v in body.items() if v is not None},
            pick="completed",
        )

    def add_template(
        self,
        project: str,
        name: str,
        language: str,
        category: str,
        details: dict[str, Any],
        *,
        state: str = "APPROVED",
        quality_score: str | None = "QUALITY_SCORE_UNKNOWN",
        meta_generated: bool = False,
    ) -> Any:
        """A template created outside the API (WhatsApp Manager) or generated by Meta."""
        body = {
            "name": name,
            "language": language,
            "category": category,
            "details": details,
            "state": state,
            "qualityScore": quality_score,
            "isMetaGenerated": meta_generated,
        }
        return self._do("POST", f"/_emulator/projects/{project}/templates", body)

    def _template(self, project: str, name: str, language: str, what: str) -> str:
        return f"/_emulator/projects/{project}/templates/{name}/languages/{language}/{what}"

    def set_state(
        self,
        project: str,
        name: str,
        language: str,
        state: str,
        *,
        rejection_code: str | None = None,
    ) -> Any:
        body = {"state": state, **({"rejectionCode": rejection_code} if rejection_code else {})}
        return self._do("POST", self._template(project, name, language, "state"), body)

    def set_quality(self, project: str, name: str, language: str, quality_score: str) -> Any:
        return self._do(
            "POST",
            self._template(project, name, language, "quality"),
            {"qualityScore": quality_score},
        )

    def set_category(
        self, project: str, name: str, language: str, category: str, *, future: bool = False
    ) -> Any:
        return self._do(
            "POST",
            self._template(project, name, language, "category"),
            {"category": category, "future": future},
        )

    def add_comment(
        self, project: str, name: str, language: str, comment: str, *, author: str = "Meta"
    ) -> Any:
        return self._do(
            "POST",
            self._template(project, name, language, "comments"),
            {"comment": comment, "author": author},
        )

    # ------------------------------------------------------------------ webhooks

    def deliveries(self, project: str) -> Any:
        return self._do(
            "GET", f"/_emulator/projects/{project}/webhook-deliveries", pick="deliveries"
        )

    def flush_webhooks(self) -> Any:
        """Deliver every pending webhook event now; returns how many are still pending."""
        return self._do("POST", "/_emulator/webhooks/flush", pick="pending")
