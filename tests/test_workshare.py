"""Jobs shared with forked helpers from both ends come back complete and in order — also when a
helper fails on a chunk or dies — and the helpers really take part."""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
import time
from pathlib import Path

import pytest

from waform.workshare import can_fork, share

pytestmark = pytest.mark.skipif(not can_fork(), reason="helpers are forked (Linux)")


def _here(start: int, end: int) -> list[tuple[int, int]]:
    return [(job, os.getpid()) for job in range(start, end)]


def _take(start: int, end: int, result: list[tuple[int, int]]) -> list[tuple[int, int]]:
    assert [job for job, _pid in result] == list(range(start, end))
    return result


@pytest.mark.parametrize("helpers", [1, 3])
def test_every_job_once_in_order_from_both_ends(helpers: int, tmp_path: Path) -> None:
    started = tmp_path / "a helper started"

    def there(start: int, end: int) -> list[tuple[int, int]]:
        started.touch()
        time.sleep(0.002)  # slower than this process: both ends take chunks
        return _here(start, end)

    def here(start: int, end: int) -> list[tuple[int, int]]:
        waited = time.monotonic()  # a loaded machine may start the helpers late
        while not started.exists() and time.monotonic() - waited < 10:
            time.sleep(0.001)
        return _here(start, end)

    done = share(997, helpers, here=here, there=there, take=_take, chunk=7)
    assert [job for job, _pid in done] == list(range(997))
    pids = {pid for _job, pid in done}
    assert os.getpid() in pids and len(pids) >= 2, "this process and a helper both did chunks"
    here_done = [job for job, pid in done if pid == os.getpid()]
    assert here_done == list(range(len(here_done))), "this process took the front"


def test_a_failed_or_lost_chunk_is_done_here() -> None:
    def flaky(start: int, end: int) -> list[tuple[int, int]]:
        if start == 994:  # the first chunk a helper takes (from the back)
            raise ValueError("cannot")
        if start == 987:
            os._exit(3)  # the helper dies: its remaining chunks are done here
        return _here(start, end)

    done = share(1000, 1, here=_here, there=flaky, take=_take, chunk=7)
    assert [job for job, _pid in done] == list(range(1000))
    assert {pid for job, pid in done if job >= 987} == {os.getpid()}


def test_this_process_does_not_wait_for_helpers_that_delivered_everything(tmp_path: Path) -> None:
    """A helper's exit is left to itself: it is reaped as it ends, by a thread."""
    started, returned = tmp_path / "a helper started", tmp_path / "share returned"
    exited = tmp_path / "helper exited"

    def exit_after_share() -> None:
        waited = time.monotonic()
        while not returned.exists() and time.monotonic() - waited < 10:
            time.sleep(0.01)
        exited.write_text("after" if returned.exists() else "before")

    registered: set[int] = set()

    def there(start: int, end: int) -> list[tuple[int, int]]:
        if os.getpid() not in registered:  # once per helper, run as it exits
            registered.add(os.getpid())
            multiprocessing.util.Finalize(None, exit_after_share, exitpriority=0)
            started.touch()
        return _here(start, end)

    def here(start: int, end: int) -> list[tuple[int, int]]:
        waited = time.monotonic()  # until the helper has taken a chunk
        while not started.exists() and time.monotonic() - waited < 10:
            time.sleep(0.001)
        return _here(start, end)

    done = share(100, 1, here=here, there=there, take=_take, chunk=7)
    returned.touch()
    assert [job for job, _pid in done] == list(range(100))
    waited = time.monotonic()
    while multiprocessing.active_children() and time.monotonic() - waited < 20:
        time.sleep(0.01)
    assert not multiprocessing.active_children(), "reaped"
    assert exited.read_text() == "after", "the helper ended by itself after share returned"
