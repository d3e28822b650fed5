"""Fault injection and rate limiting for the Provisioning API routes (``/v1/…`` only).

Both are configured through the control API and kept in the state file, so a test can arm
faults and then run a CLI command whose own in-process emulator (same file) obeys them.

**Faults** (:class:`FaultConfig`): each matching request draws one outcome from
``random.Random(f"{seed}:{n}")`` where ``n`` counts matching requests (persisted) — the same
seed gives the same sequence in every run and every process. Kinds, checked in this order:

* ``locked`` → ``409 resource_locked`` before processing (nothing written);
* ``throttle`` → ``429 whatsapp_business_api_request_limit_exceeded`` + ``Retry-After``, before;
* ``error`` → ``500 internal_error`` before processing;
* ``error_after`` → the request is processed (a create *is* stored), then ``500``;
* ``drop`` → the request is processed, then the connection is dropped without a response
  (served: the TCP connection is aborted; in-process: ``httpx.RemoteProtocolError``);
* ``late`` → the request is processed (committed), then the answer waits ``late_ms`` (default
  60 s, beyond any sane client timeout) — the client times out not knowing the outcome
  (in-process: ``httpx.ReadTimeout`` at once, since no timeout applies there).

``script`` is a queue of kinds (``"ok"`` for none) consumed by the next matching requests
before any random draw — "the next POST is dropped" in one line. ``methods`` and ``path_regex``
restrict which requests match. ``latency_ms`` (+ uniform ``latency_jitter_ms``) delays every
matching request.

**Rate limit**: at most ``requests_per_second`` API requests per project in any sliding second;
beyond → ``429 whatsapp_business_api_request_limit_exceeded`` with ``Retry-After`` (whole
seconds, at least 1). Refused requests do not count. The window lives in the process.
"""

from __future__ import annotations

import math
import random
import re
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from waform.emulator.store import Store

FAULT_KINDS = ("locked", "throttle", "error", "error_after", "drop", "late")


class ConnectionDropped(Exception):  # noqa: N818 - it names an event, like httpx's errors
    """The app wants the connection closed without a response (in-process transport)."""


class AnsweredLate(ConnectionDropped):
    """The app committed but answers after the client's timeout (in-process transport)."""


@dataclass
class FaultConfig:
    seed: int = 0
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    locked_rate: float = 0.0
    throttle_rate: float = 0.0
    error_rate: float = 0.0
    error_after_rate: float = 0.0
    drop_rate: float = 0.0
    late_rate: float = 0.0
    late_ms: float = 60_000.0
    retry_after: int = 1
    methods: list[str] | None = None
    path_regex: str | None = None
    script: list[str] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(unknown)}")
        config = cls(**known)
        for kind in config.script:
            if kind != "ok" and kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault kind {kind!r} in script")
        if config.path_regex:
            re.compile(config.path_regex)
        if config.methods:
            config.methods = [m.upper() for m in config.methods]
        return config

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def matches(self, method: str, path: str) -> bool:
        if self.methods and method.upper() not in self.methods:
            return False
        return not (self.path_regex and not re.search(self.path_regex, path))


@dataclass(frozen=True)
class Decision:
    kind: str | None
    delay: float
    retry_after: int
    late: float = 0.0


class Faults:
    """Reads the persisted config and decides each request's fate."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def config(self) -> FaultConfig | None:
        data = self.store.get_meta_json("faults")
        return None if data is None else FaultConfig.from_json(data)

    def configure(self, config: FaultConfig | None) -> None:
        with self.store.write():
            self.store.set_meta_json("faults", None if config is None else config.to_json())
            self.store.set_meta("faults_counter", "0")

    def decide(self, method: str, path: str) -> Decision | None:
        raw = self.store.get_meta("faults")
        if raw is None:
            return None
        with self.store.write():
            config = self.config()
            if config is None or not config.matches(method, path):
                return None
            n = int(self.store.get_meta("faults_counter") or 0)
            self.store.set_meta("faults_counter", str(n + 1))
            rng = random.Random(f"{config.seed}:{n}")
            delay = (config.latency_ms + rng.uniform(0, config.latency_jitter_ms)) / 1000
            kind: str | None
            if config.script:
                kind = config.script.pop(0)
                self.store.set_meta_json("faults", config.to_json())
                kind = None if kind == "ok" else kind
            else:
                kind = None
                draw = rng.random()
                for name in FAULT_KINDS:
                    rate = getattr(config, f"{name}_rate")
                    if draw < rate:
                        kind = name
                        break
                    draw -= rate
        return Decision(
            kind=kind, delay=delay, retry_after=config.retry_after, late=config.late_ms / 1000
        )


class RateLimiter:
    """Sliding one-second window per project; the limit is read from the store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._windows: dict[str, deque[float]] = {}

    def limit(self) -> float | None:
        data = self.store.get_meta_json("rate_limit")
        return None if not data else float(data["requestsPerSecond"])

    def configure(self, requests_per_second: float | None) -> None:
        self.store.set_meta_json(
            "rate_limit",
            None if requests_per_second is None else {"requestsPerSecond": requests_per_second},
        )
        self._windows.clear()

    def check(self, project: str) -> int | None:
        """``None`` if the request may pass (it is counted), else the Retry-After seconds."""
        limit = self.limit()
        if limit is None:
            return None
        now = time.monotonic()
        window = self._windows.setdefault(project, deque())
        while window and now - window[0] >= 1.0:
            window.popleft()
        if len(window) >= limit:
            return max(1, math.ceil(1.0 - (now - window[0])))
        window.append(now)
        return None
