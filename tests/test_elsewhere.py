"""Work done beside the caller (:func:`waform.elsewhere.elsewhere`: the load cache's writes, the
stored plan forms with the hash and write-only keys they are made of) tells its result as soon as
it is done, before what follows it (``then``), in a forked child as in a thread; work that fails
tells nothing, and prints nothing."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pytest

from waform.elsewhere import NICENESS, elsewhere
from waform.workshare import can_fork

WAYS = [
    pytest.param(True, id="forked", marks=pytest.mark.skipif(not can_fork(), reason="Linux")),
    pytest.param(False, id="thread"),
]


@pytest.mark.parametrize("fork", WAYS)
def test_the_result_comes_back(fork: bool) -> None:
    here = os.getpid()
    begun = elsewhere(lambda: ("sha256:abc", {("a", "EN_US")}, os.getpid()), fork)
    desired_hash, keys, pid = begun.result()
    assert (desired_hash, keys) == ("sha256:abc", {("a", "EN_US")})
    assert (pid != here) == fork  # a forked child did it, or this process
    assert begun.result() == (desired_hash, keys, pid)  # asked again: the same
    begun.ended()
    begun.ended()  # asked again: it returns at once
    assert begun.result() == (desired_hash, keys, pid)  # and after it ended
    if fork:  # the child is reaped as it ends (not waited for): no zombie is left
        waited = time.monotonic()
        while _exists(pid) and time.monotonic() - waited < 10:
            time.sleep(0.01)
        assert not _exists(pid)


def _exists(pid: int) -> bool:
    """Running, or ended and not reaped yet."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("fork", WAYS)
def test_failed_work_tells_nothing_and_prints_nothing(
    fork: bool, capfd: pytest.CaptureFixture[str]
) -> None:
    def fails() -> str:
        raise RuntimeError("disk full")

    begun = elsewhere(fails, fork)
    assert begun.result() is None
    begun.ended()
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


@pytest.mark.parametrize("fork", WAYS)
def test_work_that_does_not_end_is_not_waited_for_forever(fork: bool) -> None:
    started = time.monotonic()
    begun = elsewhere(lambda: time.sleep(30), fork, patience=0.3)
    assert begun.result() is None
    begun.ended()
    assert time.monotonic() - started < 10


@pytest.mark.skipif(not can_fork(), reason="Linux")
def test_a_forked_child_yields_the_cpus_to_the_command_once_its_result_is_sent(
    tmp_path: Path,
) -> None:
    """The result (a plan's hash) is needed once the fetch is read, so it is worked out at the
    command's priority; what follows it (the load's entries) is needed last, so the command and
    its fetch go first."""
    here = os.getpriority(os.PRIO_PROCESS, 0)
    then = tmp_path / "priority"
    begun = elsewhere(
        lambda: os.getpriority(os.PRIO_PROCESS, 0),
        True,
        then=lambda: then.write_text(str(os.getpriority(os.PRIO_PROCESS, 0))),
    )
    assert begun.result() == here
    begun.ended()
    assert int(then.read_text()) == min(19, here + NICENESS) and NICENESS > 0
    assert os.getpriority(os.PRIO_PROCESS, 0) == here  # this process is left as it was


@pytest.mark.parametrize("fork", WAYS)
def test_the_result_comes_before_what_follows_it_and_the_end_waits_for_that(
    fork: bool, tmp_path: Path
) -> None:
    """A cold plan needs the forms' hash while the fetch is read; the load's entries, stored
    after it in the same process, only before the command ends."""
    stored = tmp_path / "entries"

    def then() -> None:
        time.sleep(1.0)
        stored.write_text("stored")

    started = time.monotonic()
    begun = elsewhere(lambda: "hash", fork, then=then)
    assert begun.result() == "hash"
    assert time.monotonic() - started < 0.9 and not stored.exists()
    begun.ended()
    assert stored.read_text() == "stored"


@pytest.mark.parametrize("fork", WAYS)
def test_what_follows_failed_work_is_still_done(fork: bool, tmp_path: Path) -> None:
    """The load's entries are stored even when working out the forms failed."""
    stored = tmp_path / "entries"

    def fails() -> str:
        raise RuntimeError("no forms")

    begun = elsewhere(fails, fork, then=lambda: stored.write_text("stored"))
    assert begun.result() is None
    begun.ended()
    assert stored.read_text() == "stored"


@pytest.mark.skipif(not can_fork(), reason="Linux")
def test_a_fork_that_fails_leaves_the_work_to_a_thread(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Out of memory or processes, the cache is still written (only later work is slower), and
    the pipe meant for the child is closed."""

    def no_fork() -> int:
        raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")

    fds = Path("/proc/self/fd")
    before = len(list(fds.iterdir()))
    monkeypatch.setattr(os, "fork", no_fork)
    stored = tmp_path / "entries"
    begun = elsewhere(os.getpid, True, then=lambda: stored.write_text("stored"))
    assert begun.result() == os.getpid()  # done here
    begun.ended()
    assert stored.read_text() == "stored"
    assert len(list(fds.iterdir())) == before


@pytest.mark.skipif(not can_fork(), reason="Linux")
def test_what_follows_that_does_not_end_is_not_waited_for_forever() -> None:
    """The result is in; the end is waited for at most the patience, then the child is killed
    and reaped."""
    begun = elsewhere(os.getpid, True, patience=0.3, then=lambda: time.sleep(30))
    pid = begun.result()
    assert pid is not None and pid != os.getpid()
    started = time.monotonic()
    begun.ended()
    assert time.monotonic() - started < 10
    assert not _exists(pid)


@pytest.mark.parametrize("fork", WAYS)
def test_the_patience_counts_from_the_start_not_per_wait(fork: bool, tmp_path: Path) -> None:
    """Slow work, then slow storing: the command goes on once the patience has passed since
    the work began, not after a patience for each."""
    stored = tmp_path / "entries"

    def slow() -> str:
        time.sleep(1.0)
        return "hash"

    def then() -> None:
        time.sleep(1.0)
        stored.write_text("stored")

    begun = elsewhere(slow, fork, patience=1.5, then=then)
    assert begun.result() == "hash"
    begun.ended()  # at 1.5 s: before the entries, due at 2 s (a child is killed)
    assert not stored.exists()
