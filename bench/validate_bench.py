"""Benchmark: ``waform validate`` over N template-languages — cold, warm, one file changed — and
where loading in a process pool starts to pay off.

The files are ``loader_bench.py``'s (two languages per file, realistic components). Timed
in-process through ``Manager.validate`` (the command's pipeline: loader, Meta's rules, load
cache), ``--runs`` times each:

1. **cold** — empty load cache (a process pool loads the files when there are enough);
2. **warm** — nothing changed: the run's cache entry answers;
3. **one changed** — one file edited: that file is loaded again, the rest come from the cache.

``--break-even 100,200,…`` then times a cold load of that many files in this process and in a
pool, to place ``waform.desired.POOL_MIN_FILES``. Prints wall and CPU seconds and peak memory;
the whole command as a separate process (interpreter start and imports included) once, warm.
Target on a 2-core machine: warm ≤ 0.5 s for 10,000. Usage::

    python bench/validate_bench.py [N] [--runs 3] [--break-even 100,200,400,800]
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import peak_memory_mb  # noqa: E402
from loader_bench import write_templates  # noqa: E402

from waform.config import Config  # noqa: E402
from waform.desired import load_desired  # noqa: E402
from waform.manager import Manager  # noqa: E402
from waform.rules import RuleSettings  # noqa: E402
from waform.workshare import usable_cpus  # noqa: E402

TARGET_WARM = 0.5


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds of this process, result)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=10_000, help="template-languages")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--break-even", default="", help="file counts, comma-separated")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="waform-validate-bench-"))
    try:
        files = write_templates(root, args.count)
        print(f"{args.count:,} template-languages in {files:,} files, {usable_cpus()} CPUs")
        missed = False
        for number in range(1, args.runs + 1):
            os.environ["WAFORM_CACHE_DIR"] = str(root.parent / f"{root.name}-cache-{number}")
            manager = Manager(Config(), offline=True)
            changed = root / sorted(os.listdir(root))[0]
            for kind in ("cold", "warm", "one changed"):
                if kind == "one changed":
                    changed.write_text(changed.read_text() + f"# edited in run {number}\n")
                wall, cpu, state = timed(functools.partial(manager.validate, [root]))
                assert state.ok and state.template_count == args.count, state.diagnostics[:3]
                note = ""
                if kind == "warm":
                    missed |= wall > TARGET_WARM
                    note = f"(target ≤ {TARGET_WARM})"
                print(f"run {number} {kind:11}: wall {wall:5.2f} s  cpu {cpu:5.2f} s  {note}")
        print(
            f"peak memory: {peak_memory_mb():.0f} MB this process, "
            f"{peak_memory_mb(children=True):.0f} MB its largest pool worker"
        )
        command_wall(root)
        for count in [int(c) for c in args.break_even.split(",") if c]:
            if count <= files:
                break_even(root, count)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if missed else 0


def command_wall(root: Path) -> None:
    """``waform validate`` as its own process, warm (the last run's cache)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "waform", "-q", "validate", str(root)], check=True, env=os.environ
    )
    print(f"`waform validate` process, warm: {time.perf_counter() - started:.2f} s wall")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def break_even(root: Path, count: int) -> None:
    """A cold load of ``count`` files, in this process and in a pool of one worker per CPU."""
    subset = root.parent / f"{root.name}-{count}"
    subset.mkdir()
    try:
        for name in sorted(os.listdir(root))[:count]:
            shutil.copy(root / name, subset / name)
        settings = RuleSettings()
        one, one_cpu, _ = timed(lambda: load_desired([subset], settings, workers=1))
        before = children_cpu()
        pooled, pooled_cpu, _ = timed(lambda: load_desired([subset], settings, pool_from=1))
        workers_cpu = children_cpu() - before
        print(
            f"{count:6} files cold: one process {one:5.2f} s wall ({one_cpu:.2f} s CPU); pool "
            f"{pooled:5.2f} s wall ({pooled_cpu:.2f} s CPU here + {workers_cpu:.2f} s in workers)"
        )
    finally:
        shutil.rmtree(subset, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
