"""Backoff arithmetic and Retry-After parsing (pure functions; the HTTP side is tested against the
emulator in the other test_client_* files)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from waform.client import RetryPolicy, parse_retry_after


def test_delays_grow_exponentially_with_jitter_and_a_ceiling() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0, jitter=0.5, rng=random.Random(7))
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 4.0), (12, 4.0)]:
        delays = [policy.delay(attempt) for _ in range(200)]
        assert all(ceiling * 0.5 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 100  # jittered, not constant


def test_no_jitter_is_deterministic() -> None:
    policy = RetryPolicy(base_delay=0.25, max_delay=10, jitter=0)
    assert [policy.delay(a) for a in (1, 2, 3)] == [0.25, 0.5, 1.0]


def test_retry_after_replaces_the_computed_delay() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=1.0)
    assert policy.delay(1, retry_after=7.0) == 7.0
    assert policy.delay(3, retry_after=0.0) == 0.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        (" 0 ", 0.0),
        ("1.5", 1.5),
        ("-4", 0.0),
        (None, None),
        ("soon", None),
        ("", None),
    ],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_retry_after_http_date() -> None:
    now = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=42), usegmt=True)
    assert parse_retry_after(later, now=now) == 42.0
    earlier = format_datetime(now - timedelta(seconds=42), usegmt=True)
    assert parse_retry_after(earlier, now=now) == 0.0


_REQUEST = httpx.Request("POST", "https://example.invalid/")


@pytest.mark.parametrize(
    ("outcome", "read", "write"),
    [
        ({"status": 429}, "retry", "retry"),  # refused before processing
        ({"status": 409, "error_code": "resource_locked"}, "retry", "retry"),
        ({"status": 409, "error_code": "template_exists"}, "fail", "fail"),
        ({"status": 400, "error_code": "invalid_argument"}, "fail", "fail"),
        ({"status": 401}, "fail", "fail"),
        ({"status": 500}, "retry", "unknown"),  # a write may have been processed
        ({"status": 503}, "retry", "unknown"),
        ({"failure": httpx.ConnectError("refused", request=_REQUEST)}, "retry", "retry"),
        ({"failure": httpx.ConnectTimeout("slow", request=_REQUEST)}, "retry", "retry"),
        ({"failure": httpx.PoolTimeout("busy", request=_REQUEST)}, "retry", "retry"),
        ({"failure": httpx.ReadTimeout("late", request=_REQUEST)}, "retry", "unknown"),
        ({"failure": httpx.RemoteProtocolError("cut", request=_REQUEST)}, "retry", "unknown"),
    ],
)
def test_verdict_tells_reads_from_writes(outcome: dict, read: str, write: str) -> None:
    policy = RetryPolicy()
    assert policy.verdict(write=False, **outcome) == read
    assert policy.verdict(write=True, **outcome) == write


def test_a_budget_counts_the_sends_of_one_operation() -> None:
    budget = RetryPolicy(max_attempts=3).start()
    assert (budget.sends, budget.started, budget.exhausted) == (0, None, False)
    budget.sends = 3
    assert budget.exhausted
