"""The throttle's control law on a fake clock: the ramp, learning the limit from 429s, pacing
under it, probing, pauses and the in-flight bound.

The API is modelled as a sliding one-second window (what the emulator enforces and what a
``Retry-After`` of whole seconds suggests); latency jitter comes from a seeded generator.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from apply_support import FakeTime
from waform.apply.throttle import AdaptiveThrottle


def make_throttle(**kw) -> tuple[AdaptiveThrottle, FakeTime]:
    t = FakeTime()
    return AdaptiveThrottle(clock=t.clock, sleep=t.sleep, **kw), t


def send(throttle: AdaptiveThrottle, t: FakeTime, *, refused: bool = False) -> float:
    """One request through the throttle; returns the (fake) time it was allowed to start."""

    async def go() -> float:
        permit = await throttle.acquire()
        started = t.now
        if refused:
            throttle.on_throttled(permit, 1.0)
        else:
            throttle.on_success(permit)
        permit.release()
        return started

    return asyncio.run(go())


@dataclass
class SlidingWindowApi:
    """At most ``limit(now)`` accepted requests in any second; refused ones do not count."""

    limit: Callable[[float], int]
    accepted: deque[float] = field(default_factory=deque)

    def answer(self, now: float) -> int | None:
        """``None`` when accepted, else the Retry-After (whole seconds, at least 1)."""
        while self.accepted and now - self.accepted[0] >= 1.0:
            self.accepted.popleft()
        if len(self.accepted) >= self.limit(now):
            return max(1, math.ceil(1.0 - (now - self.accepted[0])))
        self.accepted.append(now)
        return None


@dataclass
class Run:
    seconds: float  # first start → last accepted answer
    sent: int
    refused: int
    starts: list[float]


def drive(
    throttle: AdaptiveThrottle, t: FakeTime, api: SlidingWindowApi, count: int, seed: int = 7
) -> Run:
    """Send ``count`` requests one after the other (a refused one goes to the back of the queue),
    each 1–3 ms on the way to the API and back."""
    rng = random.Random(seed)
    began = t.now
    sent = refused = 0
    starts: list[float] = []

    async def go() -> None:
        nonlocal sent, refused
        pending = count
        while pending:
            permit = await throttle.acquire()
            starts.append(t.now)
            sent += 1
            await t.sleep(rng.uniform(0.0005, 0.0015))
            retry_after = api.answer(t.now)
            await t.sleep(rng.uniform(0.0005, 0.0015))
            if retry_after is None:
                throttle.on_success(permit)
                pending -= 1
            else:
                refused += 1
                throttle.on_throttled(permit, retry_after)
            permit.release()

    asyncio.run(go())
    return Run(seconds=t.now - began, sent=sent, refused=refused, starts=starts)


def test_sending_is_paced_and_ramps_up_while_the_server_keeps_up():
    throttle, t = make_throttle(initial_rate=10)
    starts = [send(throttle, t) for _ in range(60)]
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert 0.04 < gaps[0] <= 0.1, "paced from the first request (10/s), not a burst"
    assert gaps[-1] < gaps[0] / 4, "faster and faster while the server keeps up"
    assert throttle.rate > 40, "doubling every quarter second while nothing is refused"
    assert throttle.limit is None


def test_the_limit_is_learned_from_the_first_429s_and_then_hardly_hit():
    throttle, t = make_throttle()
    run = drive(throttle, t, SlidingWindowApi(lambda now: 20), 1000)
    floor = 1000 / 20
    assert throttle.limit == 20, "what the API accepted in the second before it refused"
    assert throttle.stats.learned == 1
    assert run.refused / run.sent <= 0.03, f"{run.refused} of {run.sent} refused"
    assert run.seconds / floor <= 1.03, f"{run.seconds:.2f} s against a floor of {floor} s"
    # Paced, not bursts: after learning, starts are spaced about 1/20 s apart.
    late = run.starts[-200:]
    assert min(b - a for a, b in zip(late, late[1:], strict=False)) > 0.02


def test_a_stray_429_changes_nothing():
    throttle, t = make_throttle(initial_rate=20)
    for _ in range(40):
        send(throttle, t)
    rate = throttle.rate
    send(throttle, t, refused=True)
    assert throttle.limit is None and throttle.stats.learned == 0
    assert throttle.rate >= rate and throttle.stats.throttled == 1


def test_an_overload_halves_the_requests_in_flight():
    throttle, t = make_throttle(initial_rate=20)
    for _ in range(40):
        send(throttle, t)
    before = throttle.concurrency
    refusals = 0
    while throttle.stats.learned == 0 and refusals < 100:
        send(throttle, t, refused=True)
        refusals += 1
    # An overload is a quarter of the last second's requests refused.
    assert 3 <= refusals < 40
    assert throttle.concurrency == before // 2
    assert throttle.limit is not None and throttle.limit > 1


def test_a_raised_limit_is_found_again_by_probing():
    throttle, t = make_throttle()
    began = t.now
    api = SlidingWindowApi(lambda now: 20 if now - began < 15 else 40)
    run = drive(throttle, t, api, 2000)
    assert throttle.stats.probes >= 3
    assert throttle.limit is not None and 36 <= throttle.limit <= 40
    assert run.refused / run.sent <= 0.03


def test_a_lowered_limit_is_learned_again():
    throttle, t = make_throttle()
    began = t.now
    api = SlidingWindowApi(lambda now: 20 if now - began < 10 else 10)
    run = drive(throttle, t, api, 600)
    assert throttle.limit == 10
    assert run.refused / run.sent <= 0.05


def test_a_long_retry_after_pauses_every_sender():
    throttle, t = make_throttle(initial_rate=50)

    async def go() -> float:
        permit = await throttle.acquire()
        throttle.on_throttled(permit, retry_after=5.0)
        permit.release()
        paused_at = t.now
        permit = await throttle.acquire()
        permit.release()
        return t.now - paused_at

    assert asyncio.run(go()) == pytest.approx(5.0, abs=0.05)
    assert throttle.stats.paused_seconds == pytest.approx(5.0)


def test_max_rate_caps_the_pace():
    throttle, t = make_throttle(max_rate=5)
    starts = [send(throttle, t) for _ in range(30)]
    assert (starts[-1] - starts[0]) / 29 == pytest.approx(0.2, rel=0.05)


def test_concurrency_is_bounded_by_max_concurrency():
    throttle, t = make_throttle(max_concurrency=2, initial_rate=1000)
    peak = 0

    async def one() -> None:
        nonlocal peak
        permit = await throttle.acquire()
        peak = max(peak, throttle.in_flight)
        await t.sleep(0.01)
        throttle.on_success(permit)
        permit.release()

    async def go() -> None:
        await asyncio.gather(*(one() for _ in range(10)))

    asyncio.run(go())
    assert peak == 2 and throttle.in_flight == 0
