"""Progress of a long apply or wait: a live bar on a terminal, periodic plain lines in CI.

A bar that redraws is unreadable in a CI log, and silence for ten minutes looks like a hang; so
on a TTY the bar is rich's, and elsewhere one line is printed every ``every`` seconds (and at the
end). Everything goes to stderr: stdout is for the result (``--json`` stays parseable).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Protocol, TextIO


class Progress(Protocol):
    def start(self, description: str, total: int) -> None: ...

    def update(self, completed: int, *, detail: str = "") -> None: ...

    def stop(self) -> None: ...


class NullProgress:
    """``--quiet``: nothing."""

    def start(self, description: str, total: int) -> None:
        pass

    def update(self, completed: int, *, detail: str = "") -> None:
        pass

    def stop(self) -> None:
        pass


class PlainProgress:
    """``applying: 120/1000 (12%) …`` at most every ``every`` seconds, plus a final line (only
    for runs long enough to have printed one: a two-second apply needs no progress report)."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        every: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self.every = every
        self._clock = clock
        self._description = ""
        self._total = 0
        self._completed = 0
        self._detail = ""
        self._last = 0.0
        self._active = False
        self._printed = False
        self._written = ""

    def _write(self) -> None:
        percent = f" ({100 * self._completed // self._total}%)" if self._total else ""
        detail = f" {self._detail}" if self._detail else ""
        line = f"{self._description}: {self._completed}/{self._total}{percent}{detail}"
        if line == self._written:  # the closing line says nothing new: not twice
            return
        self._written = line
        stream = self._stream or sys.stderr
        stream.write(line + "\n")
        stream.flush()

    def start(self, description: str, total: int) -> None:
        self._description, self._total, self._completed, self._detail = description, total, 0, ""
        self._last = self._clock()
        self._active = True
        self._printed = False
        self._written = ""

    def update(self, completed: int, *, detail: str = "") -> None:
        self._completed, self._detail = completed, detail
        now = self._clock()
        if now - self._last >= self.every:
            self._last = now
            self._printed = True
            self._write()

    def stop(self) -> None:
        """A closing line, if the run was long enough to have shown progress at all."""
        if self._active and self._printed:
            self._write()
        self._active = self._printed = False


class RichProgress:
    """A live bar (rich) on stderr, removed when done."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as _Bar

        self._bar = _Bar(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[detail]}"),
            console=Console(stderr=True),
            transient=True,
        )
        self._task: object | None = None

    def start(self, description: str, total: int) -> None:
        self.stop()
        self._bar.start()
        self._task = self._bar.add_task(description, total=total, detail="")

    def update(self, completed: int, *, detail: str = "") -> None:
        if self._task is not None:
            self._bar.update(self._task, completed=completed, detail=detail)  # type: ignore[arg-type]

    def stop(self) -> None:
        if self._task is not None:
            self._bar.stop()
            self._bar.remove_task(self._task)  # type: ignore[arg-type]
            self._task = None


def make_progress(*, quiet: bool = False, tty: bool | None = None, every: float = 10.0) -> Progress:
    """The right progress display for where stderr goes."""
    if quiet:
        return NullProgress()
    if tty is None:
        tty = sys.stderr.isatty()
    return RichProgress() if tty else PlainProgress(every=every)
