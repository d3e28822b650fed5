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

import logging
import multiprocessing
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

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
    chunks = -(-count // chunk)
    context = multiprocessing.get_context("fork")
    lock = context.Lock()
    ends = context.RawArray("q", [0, chunks - 1])  # next chunk from the front, from the back
    done: dict[int, list[T]] = {}
    receivers: list[Connection] = []
    processes = []
    for _ in range(helpers):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_helper, args=(ends, lock, chunk, count, there, sender))
        process.start()
        sender.close()  # only the helper writes: its exit ends the pipe (later helpers never see it)
        receivers.append(receiver)
        processes.append(process)

    def bounds(index: int) -> tuple[int, int]:
        return index * chunk, min(count, (index + 1) * chunk)

    def receive(receiver: Connection) -> None:
        try:
            index, result = receiver.recv()
        except (EOFError, OSError):  # the helper is done (or gone)
            receivers.remove(receiver)
            return
        if result is not None:
            done[index] = take(*bounds(index), result)

    try:
        while True:
            with lock:
                index = ends[0]
                if index > ends[1]:
                    break
                ends[0] = index + 1
            done[index] = here(*bounds(index))
            for ready in wait(receivers, timeout=0):
                receive(ready)  # type: ignore[arg-type]
        while receivers and len(done) < chunks:
            for ready in wait(receivers):
                receive(ready)  # type: ignore[arg-type]
    finally:
        for process in processes:
            process.join(timeout=0.5)
            if process.is_alive():  # only when this process is failing itself
                process.kill()
                process.join()
        for receiver in receivers:
            receiver.close()
    for index in range(chunks):
        if index not in done:
            done[index] = here(*bounds(index))
    return [item for index in range(chunks) for item in done[index]]


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
