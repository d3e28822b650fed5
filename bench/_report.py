"""What every benchmark prints beside its timings."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


def peak_memory_mb(children: bool = False) -> float:
    """Peak resident memory (MB) of this process, or of its largest finished child process."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    peak = resource.getrusage(who).ru_maxrss
    return _mb(peak)


def _mb(maxrss: int) -> float:
    return maxrss / 1024 / 1024 if sys.platform == "darwin" else maxrss / 1024  # bytes vs KiB


@dataclass(frozen=True)
class CommandRun:
    returncode: int
    wall: float
    peak_mb: float
    """The command's largest process (its own or a pool worker's), as ``/usr/bin/time`` says."""


# Runs in its own small interpreter: one JSON request per line, one JSON answer per line.
_LAUNCHER = r"""
import json, os, subprocess, sys, time
for line in sys.stdin:
    request = json.loads(line)
    started = time.perf_counter()
    proc = subprocess.Popen(request["argv"], env=request["env"], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    answer = {"status": os.waitstatus_to_exitcode(status), "wall": time.perf_counter() - started,
              "maxrss": usage.ru_maxrss}
    print(json.dumps(answer), flush=True)
"""


class Launcher:
    """Starts commands from a small process of its own, so their peak memory is theirs.

    Linux keeps a process's peak resident memory across ``fork`` + ``exec``: a command started
    directly by a benchmark that already holds 200 MB reports at least 200 MB, however little
    it uses (a bare ``python -c pass`` then "peaks" at the benchmark's size). Create the
    launcher before the benchmark grows; what it passes on is its own ~10 MB.
    """

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.floor_mb = self.run([sys.executable, "-c", "pass"]).peak_mb
        """What a bare interpreter reports through the launcher (the smallest figure)."""

    def run(self, argv: Sequence[str], env: Mapping[str, str] | None = None) -> CommandRun:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        request = {"argv": list(argv), "env": dict(os.environ if env is None else env)}
        self._proc.stdin.write(json.dumps(request) + "\n")
        self._proc.stdin.flush()
        answer = json.loads(self._proc.stdout.readline())
        return CommandRun(answer["status"], answer["wall"], _mb(answer["maxrss"]))

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        self._proc.wait(timeout=10)
