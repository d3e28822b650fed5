"""Work done beside the caller, in a forked process where possible (else a thread): the load
cache's writes and a plan's stored forms, which only save time later, must neither hold the
command's GIL nor ever hang it.

The child shares this process's memory, so it is given nothing: it sends back what ``work``
returned (pickled: it is this program's own, in memory) as soon as that is done, then runs
``then`` (what only has to be done before the command ends) at a lower priority
(:data:`NICENESS`), and leaves without running its exit handlers. Nothing waits for its exit, which tears
down its copy of this process's memory (:func:`waform.workshare.reap_later`).
"""

from __future__ import annotations

import functools
import logging
import os
import pickle
import select
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from waform.workshare import reap_later

log = logging.getLogger(__name__)
T = TypeVar("T")

#: How long the caller waits for work done beside it, from its start (seconds; 10,000 templates
#: take about one) before it goes on without: that work only saves time later, and a process forked while
#: another thread held a lock could wait forever.
PATIENCE = 120.0
#: How much the forked child lowers its priority once its result is sent: what follows (the
#: load cache's entries, a plan's forms among them) is needed last, so the command's own process and the fetch go first
#: (a cold plan of 10,000 templates, bench/plan_bench.py, six runs each: 1.83–1.96 s instead
#: of 1.93–2.15 s). The result itself (a plan's hash) is needed once the fetch is read: worked
#: out at this priority on a busy machine, the plan waited for it in half the runs, 0.15–0.34 s
#: (at the command's priority: 0.07–0.12 s in four of ten).
NICENESS = 10
_LENGTH = 8  # bytes of the length that precedes the result


@dataclass(frozen=True)
class Begun(Generic[T]):
    """Work begun by :func:`elsewhere`; each wait may be called any number of times, from any
    thread, and returns once the patience has passed since the work began, at the latest (the
    two together as well)."""

    result: Callable[[], T | None]
    """What ``work`` returned (``None``: it failed, or took longer than the patience)."""
    ended: Callable[[], None]
    """Returns once ``then`` is done too."""


def elsewhere(
    work: Callable[[], T],
    fork: bool,
    patience: float = PATIENCE,
    then: Callable[[], object] | None = None,
) -> Begun[T]:
    """Start ``work`` and then ``then`` in a forked process (``fork``), else in a thread."""
    if not fork:
        return _in_thread(work, patience, then)
    reader, writer = os.pipe()
    try:
        pid = os.fork()
    except OSError as exc:  # no memory or process left for a child: it only saves time later
        os.close(reader)
        os.close(writer)
        log.debug("no process forked for work beside the caller (%s); a thread does it", exc)
        return _in_thread(work, patience, then)
    if pid == 0:
        try:
            os.close(reader)
            try:
                sent = pickle.dumps(work())
            except Exception:  # noqa: BLE001 - nothing sent: ``work`` failed
                sent = b""
            os.write(writer, len(sent).to_bytes(_LENGTH, "big"))
            _write_all(writer, sent)
            os.nice(NICENESS)
            if then is not None:
                then()
        finally:
            os._exit(0)  # the pipe closes with it: ``then`` is done
    os.close(writer)
    child: _Child[T] = _Child(pid, reader, patience)
    result = _once(child.result)

    def ended() -> None:
        result()  # its bytes come first
        child.ended()

    return Begun(result, _once(ended))


def _in_thread(
    work: Callable[[], T], patience: float, then: Callable[[], object] | None
) -> Begun[T]:
    box: list[T] = []
    worked = threading.Event()
    deadline = time.monotonic() + patience

    def run() -> None:
        try:
            box.append(work())
        except Exception as exc:  # noqa: BLE001 - as a failed child: no result
            log.debug("work beside the caller failed (%s)", exc)
        finally:
            worked.set()
        if then is not None:
            try:
                then()
            except Exception as exc:  # noqa: BLE001 - as a failed child
                log.debug("work beside the caller failed (%s)", exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def result() -> T | None:
        worked.wait(_left(deadline))
        return box[0] if box else None

    return Begun(_once(result), _once(lambda: thread.join(_left(deadline))))


class _Child(Generic[T]):
    """A forked child's end of :func:`elsewhere`: its pipe sends the result's length, the
    result, then closes (when the child ends, after ``then``)."""

    def __init__(self, pid: int, pipe: int, patience: float) -> None:
        self.pid, self.pipe, self.patience = pid, pipe, patience
        self.deadline = time.monotonic() + patience
        self.gone = False  # killed and reaped, or its pipe closed and its reaping begun

    def result(self) -> T | None:
        if not self._readable():
            return None
        length = int.from_bytes(_read(self.pipe, _LENGTH) or b"\0", "big")
        sent = _read(self.pipe, length) if length else b""
        return pickle.loads(sent) if sent and len(sent) == length else None

    def ended(self) -> None:
        if self._readable():
            while os.read(self.pipe, 1 << 16):  # anything the child sent beyond the result
                pass
            self._close()
            reap_later(functools.partial(os.waitpid, self.pid, 0))

    def _readable(self) -> bool:
        """Something to read (or the end) before the patience runs out; else the child is
        killed."""
        if self.gone:
            return False
        if select.select([self.pipe], [], [], _left(self.deadline))[0]:
            return True
        log.warning(
            "storing into the load cache took over %g s; going on without it", self.patience
        )
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        self._close()
        return False

    def _close(self) -> None:
        self.gone = True
        os.close(self.pipe)


def _left(deadline: float) -> float:
    """Seconds until ``deadline`` (``time.monotonic``), none once it has passed."""
    return max(0.0, deadline - time.monotonic())


def _read(fd: int, size: int) -> bytes:
    """``size`` bytes, fewer only at the end of the pipe."""
    chunks: list[bytes] = []
    while size > 0 and (chunk := os.read(fd, min(size, 1 << 20))):
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _once(wait: Callable[[], T]) -> Callable[[], T]:
    """``wait``, called once however often, and from however many threads, the result is asked
    for (a child is reaped once: a plan whose fetch failed asks from its own thread while the
    thread beside the fetch may still be asking)."""
    cached = functools.cache(wait)
    lock = threading.Lock()

    def once() -> T:
        with lock:
            return cached()

    return once
