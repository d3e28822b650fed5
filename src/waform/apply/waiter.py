"""``--wait``: poll submitted templates until Meta's review ends, then report the verdicts.

Each round reads only the names still in review, through the same fetch strategy as ``plan``
(one list call for many names, per-name calls for a few), so polling 500 templates does not cost
500 requests a round. Rounds start every ``interval`` seconds, growing gently (×1.5, capped at
``max_interval``) while nothing changes: reviews take seconds on the emulator and hours at Meta.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from waform.apply.progress import NullProgress, Progress
from waform.apply.results import ReviewOutcome, ReviewResult
from waform.inventory import Key, Keyed, pair
from waform.model.remote import RemoteTemplate

#: ``fetch(names)`` → the remote templates of those names (all languages).
Fetch = Callable[[set[str]], Awaitable[Iterable[RemoteTemplate]]]


def review_outcome(name: str, language: str, remote: RemoteTemplate | None) -> ReviewResult:
    """Classify one key: still in review, approved, rejected (with code), or something else."""
    if remote is None:
        return ReviewResult(name, language, "other", state="deleted")
    outcome: ReviewOutcome
    if remote.under_review:
        outcome = "in_review"
    elif remote.rejected:
        outcome = "rejected"
    elif remote.change_status is None and remote.state == "APPROVED":
        outcome = "approved"
    else:
        outcome = "other"
    return ReviewResult(
        name,
        language,
        outcome,
        state=remote.state,
        change_status=remote.change_status,
        rejection_code=remote.rejectionCode if outcome == "rejected" else None,
    )


@dataclass(frozen=True)
class _Waiting:
    """A key still in review: the waiter's side of each pairing."""

    key: Key


@dataclass
class WaitOutcome:
    results: list[ReviewResult]
    timed_out: bool
    seconds: float
    rounds: int


async def wait_for_review(
    submitted: Iterable[Keyed],
    fetch: Fetch,
    *,
    timeout: float,
    interval: float = 2.0,
    max_interval: float = 30.0,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> WaitOutcome:
    """Poll until every submitted key has left review or ``timeout`` seconds passed."""
    progress = progress or NullProgress()
    waiting = sorted({s.key for s in submitted})
    total = len(waiting)
    done: dict[tuple[str, str], ReviewResult] = {}
    started = clock()
    deadline = started + timeout
    rounds = 0
    delay = interval
    progress.start("waiting for review", total)
    try:
        while waiting:
            rounds += 1
            round_started = clock()
            fetched = await fetch({name for name, _ in waiting})
            still = []
            for entry in pair([_Waiting(key) for key in waiting], fetched).pairs:
                if entry.desired is None:
                    continue  # another language of a polled name
                outcome = review_outcome(*entry.key, entry.remote)
                if outcome.outcome == "in_review":
                    still.append(entry.key)
                else:
                    done[entry.key] = outcome
            changed = len(still) != len(waiting)
            waiting = still
            approved = sum(1 for r in done.values() if r.outcome == "approved")
            rejected = sum(1 for r in done.values() if r.outcome == "rejected")
            progress.update(
                total - len(waiting), detail=f"{approved} approved, {rejected} rejected"
            )
            if not waiting:
                break
            now = clock()
            if now >= deadline:
                break
            delay = interval if changed else min(max_interval, delay * 1.5)
            await sleep(max(0.0, min(deadline - now, round_started + delay - now)))
    finally:
        progress.stop()
    for key in waiting:
        done[key] = ReviewResult(*key, "in_review")
    return WaitOutcome(
        results=[done[key] for key in sorted(done)],
        timed_out=bool(waiting),
        seconds=clock() - started,
        rounds=rounds,
    )
