"""Sharing independent jobs between this process and forked helpers, taken from both ends.

The jobs are cut into chunks. This process takes chunks from the front, the helpers from the
back, and a pair of counters in shared memory (under one lock) decides who takes the next one:
the shares balance themselves whatever each side's speed — taking in a helper's result costs
this process some work, and on a shared machine another program may hold a core for a while.
A helper sends each chunk's result as soon as it is done; this process takes in the finished
ones between its own chunks, so nothing is left to do when the two ends meet.

Helpers are forked (Linux only: the caller decides), so they start in milliseconds with
everything already imported and the jobs already in memory; only results cross a pipe. A
chunk a helper could not do (an exception, a helper that died) is done here instead.
"""

from __future__ import annotations

import _thread
import contextlib
import functools
import logging
import multiprocessing
import os
import sys
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Workers are forked: they start in milliseconds with waform already imported (spawning
    one would import it again, ~0.5 s). Fork is only safe enough on Linux."""
    return sys.platform.startswith("linux")


#: Jobs per chunk: small enough that the two ends meet within a few milliseconds, large enough
#: that the lock and the pipe cost little (a chunk of template files is ~25 KB of results,
#: below a pipe's 64 KB buffer, so a helper rarely waits for this process to read).
CHUNK = 20


def share(
    count: int,
    helpers: int,
    *,
    here: Callable[[int, int], list[T]],
    there: Callable[[int, int], Any],
    take: Callable[[int, int, Any], list[T]],
    chunk: int = CHUNK,
) -> list[T]:
    """The results of jobs ``0..count-1``, in order.

    ``here(start, end)``: jobs ``start..end-1`` done in this process. ``there(start, end)``:
    the same jobs in a helper, as something that pickles; ``take(start, end, result)`` turns
    that into what ``here`` would have returned.
    """
    sharing = _Sharing(count, chunk, take)
    try:
        sharing.start(helpers, there)
        sharing.run(here)
    finally:
        sharing.close()
    for index in range(sharing.chunks):  # what no helper delivered
        if index not in sharing.done:
            sharing.done[index] = here(*sharing.bounds(index))
    return [item for index in range(sharing.chunks) for item in sharing.done[index]]


class _Sharing:
    """One :func:`share`: the counters both ends take chunks by, the helpers and their pipes,
    and the results so far (by chunk)."""

    def __init__(self, count: int, chunk: int, take: Callable[[int, int, Any], list[T]]):
        self.count, self.chunk, self.take = count, chunk, take
        self.chunks = -(-count // chunk)
        self.context = multiprocessing.get_context("fork")
        self.lock = self.context.Lock()
        # The next chunk from the front, and from the back.
        self.ends = self.context.RawArray("q", [0, self.chunks - 1])
        self.done: dict[int, list[Any]] = {}
        self.receivers: list[Connection] = []
        self.processes: list[Any] = []

    def bounds(self, index: int) -> tuple[int, int]:
        return index * self.chunk, min(self.count, (index + 1) * self.chunk)

    def start(self, helpers: int, there: Callable[[int, int], Any]) -> None:
        for _ in range(helpers):
            receiver, sender = self.context.Pipe(duplex=False)
            args = (self.ends, self.lock, self.chunk, self.count, there, sender)
            process = self.context.Process(target=_helper, args=args)
            process.start()
            sender.close()  # only the helper writes: its exit ends the pipe
            self.receivers.append(receiver)
            self.processes.append(process)

    def run(self, here: Callable[[int, int], list[Any]]) -> None:
        """Take chunks from the front until the ends meet, taking in the helpers' results
        between them; then wait for the rest."""
        while True:
            with self.lock:
                index = self.ends[0]
                if index > self.ends[1]:
                    break
                self.ends[0] = index + 1
            self.done[index] = here(*self.bounds(index))
            for ready in wait(self.receivers, timeout=0):
                self._receive(ready)  # type: ignore[arg-type]
        while self.receivers and len(self.done) < self.chunks:
            for ready in wait(self.receivers):
                self._receive(ready)  # type: ignore[arg-type]

    def _receive(self, receiver: Connection) -> None:
        try:
            index, result = receiver.recv()
        except (EOFError, OSError):  # the helper is done (or gone)
            self.receivers.remove(receiver)
            return
        if result is not None:
            self.done[index] = self.take(*self.bounds(index), result)

    def close(self) -> None:
        """Helpers that delivered every chunk are not waited for: they have nothing left to do
        and exit by themselves, and their exit (tearing down a copy of this process's memory)
        took 3–50 ms of a 10,000-template load; a thread reaps them as they end. Others are
        given half a second, then killed."""
        if len(self.done) == self.chunks:
            reap_later(functools.partial(_reap, self.processes))
            self.processes = []
        for process in self.processes:
            process.join(timeout=0.5)
            if process.is_alive():  # only when this process is failing itself
                process.kill()
                process.join()
        for receiver in self.receivers:
            receiver.close()


def reap_later(wait: Callable[[], object]) -> None:
    """Run ``wait`` — for the end of a child process that has sent all it will — in a thread of
    its own: the child's exit tears down its copy of this process's memory (3–50 ms in a
    10,000-template load), which nothing here needs to wait for. Not ``threading.Thread``:
    its start waits until the new thread runs."""
    _thread.start_new_thread(_quietly, (wait,))


def _quietly(wait: Callable[[], object]) -> None:
    with contextlib.suppress(OSError):  # reaped by someone else already
        wait()


def _reap(processes: list[Any]) -> None:
    for process in processes:
        process.join()


def _helper(
    ends: Any,
    lock: Any,
    chunk: int,
    count: int,
    there: Callable[[int, int], Any],
    sender: Connection,
) -> None:
    """In a forked helper: take chunks from the back until the two ends meet."""
    while True:
        with lock:
            index = ends[1]
            if index < ends[0]:
                break
            ends[1] = index - 1
        try:
            result = there(index * chunk, min(count, (index + 1) * chunk))
        except Exception:  # noqa: BLE001 - this process does the chunk instead
            log.debug("helper failed on chunk %d:\n%s", index, traceback.format_exc())
            result = None
        sender.send((index, result))
    sender.close()
