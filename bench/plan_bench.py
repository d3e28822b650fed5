"""Benchmark: `waform plan` over 10,000 template-languages with 50 ms of latency per request.

Setup (not timed): N template-languages (two languages per file, so N/2 YAML files) are written
to a temporary directory and the same templates are stored as APPROVED in an emulator state
file (bulk-seeded through the emulator's own store, see ``_seed.py``). The emulator then runs
``waform emulator serve`` in its own process — like the real API, its CPU is not the client's —
and its control API adds ``latency_ms`` to every API request. ``--embedded`` runs it in-process
instead (the default ``local`` target), where its own JSON and SQLite work share the plan's CPU.

Timed, ``--runs`` times each:

1. **cold** — ``Manager.plan`` in-process with an empty load cache: the files are loaded and
   checked (in a process pool when there are many) — invalid files must send no request — then
   one sweep of the list endpoint (1,000 templates per page), read in name-prefix parts at once
   (here 5 parts of 2 pages, plus one request for the total that proves them complete), then
   the canonical-form diff.
2. **warm** — the same plan again: no file changed, so the load cache answers; the fetch starts
   once the cache's run entry proves the files valid, and what the plan needs of the templates
   (stored by the cold run, ``waform.stored_forms``) is read beside it.
3. **naive** — the same files and diff (loaded without the cache), but the remote read the way
   a Terraform provider's refresh does it: one GET per template-language, 10 in flight.

Prints wall and CPU time (the plan's own process, and its load helpers' beside it), requests and
429s for each, the ratio naive / waform, and ``waform plan`` run as its own command, cold and
warm: wall time and the peak memory of its largest process (started through a small launcher:
see ``_report.Launcher``). Targets on a 2-core machine: cold ≤ 2.0 s, warm ≤ 1.0 s, naive / cold
≥ 30×, peak memory ≤ 200 MB. Usage::

    python bench/plan_bench.py [--n 10000] [--latency-ms 50] [--parallelism 10] [--runs 3]
                               [--skip-naive] [--embedded]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import math
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import Launcher, peak_memory_mb  # noqa: E402
from _seed import seed_approved  # noqa: E402

from waform.commands.options import run_sync  # noqa: E402
from waform.differ import diff  # noqa: E402
from waform.emulator import EmulatorControl  # noqa: E402
from waform.fetcher import CONCURRENCY  # noqa: E402
from waform.manager import Manager  # noqa: E402
from waform.sweep_parts import cut  # noqa: E402

PROJECT = "bench"
LANGUAGES = ("EN_US", "DE")


def details_for(index: int, language: str) -> dict[str, Any]:
    """A realistic UTILITY template: text header, body with variables, footer, two buttons."""
    greeting = "Hi" if language == "EN_US" else "Hallo"
    return {
        "components": [
            {
                "type": "HEADER",
                "format": "TEXT",
                "text": f"Order {{{{1}}}} update {index}",
                "example": "A-1042",
            },
            {
                "type": "BODY",
                "text": f"{greeting} {{{{1}}}}, your order {{{{2}}}} (ref {index}) has shipped "
                "and is on its way.",
                "examples": ["Anna", "A-1042"],
            },
            {"type": "FOOTER", "text": "Reply STOP to opt out"},
            {
                "type": "BUTTONS",
                "buttons": [
                    {
                        "type": "URL",
                        "text": "Track order",
                        "url": "https://shop.example.com/track/{{1}}",
                        "example": "https://shop.example.com/track/A-1042",
                    },
                    {"type": "QUICK_REPLY", "text": "Contact us"},
                ],
            },
        ]
    }


def yaml_file(name: str, index: int) -> str:
    import json

    lines = [f"name: {name}", "category: UTILITY", "languages:"]
    for language in LANGUAGES:
        # JSON is YAML: one line per language keeps generation trivial and exact.
        lines.append(f"  {language}:")
        lines.append(f"    details: {json.dumps(details_for(index, language))}")
    return "\n".join(lines) + "\n"


def template_name(index: int) -> str:
    return f"order_update_{index:05d}"


def setup(root: Path, n: int) -> tuple[Path, Path]:
    templates = root / "templates"
    templates.mkdir()
    config = root / "waform.yaml"
    config.write_text(
        "defaultTarget: local\n"
        f"targets:\n  local: {{type: local, state: state.sqlite3, projectId: {PROJECT}}}\n"
    )
    files = math.ceil(n / len(LANGUAGES))
    remote = []
    for i in range(files):
        name = template_name(i)
        (templates / f"{name}.yaml").write_text(yaml_file(name, i))
        for language in LANGUAGES:
            remote.append((name, language, "UTILITY", details_for(i, language)))
    seeded = seed_approved(root / "state.sqlite3", PROJECT, remote[:n])
    assert seeded == min(n, len(remote))
    return templates, config


async def naive_plan(manager: Manager, templates: Path, parallelism: int) -> tuple[Any, int]:
    """Load like waform, then one GET per desired template-language with bounded concurrency."""
    state = manager.load([templates])
    gate = asyncio.Semaphore(parallelism)
    async with manager.open_client() as client:

        async def one(name: str, language: str) -> Any:
            async with gate:
                return await client.get(name, language)

        fetched = await asyncio.gather(*(one(t.name, t.language) for t in state.templates))
        remote = [r for r in fetched if r is not None]
        plan = diff(state.templates, remote, manager.config, target=manager.target.name)
        return plan, client.requests_made


@contextlib.contextmanager
def served_emulator(root: Path, config: Path) -> Iterator[str]:
    """``waform emulator serve`` in its own process, added to the config as target ``served``."""
    log = (root / "emulator.log").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "waform", "emulator", "serve", "--port", "0", "--state",
         str(root / "state.sqlite3")],
        stdout=log,
        stderr=log,
        text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        match = None
        while match is None and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            log.seek(0)
            match = re.search(r"listening on (http://\S+)", log.read())
        if match is None:
            log.seek(0)
            raise RuntimeError(f"the emulator did not start: {log.read()!r}")
        url = match.group(1)
        config.write_text(
            config.read_text()
            + "  served:\n"
            + f"    {{type: sinch, projectId: {PROJECT}, baseUrl: '{url}',\n"
            + "     auth: {type: basic, keyIdEnv: BENCH_KEY_ID, keySecretEnv: BENCH_KEY_SECRET}}\n"
        )
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def measure(fn: Any) -> tuple[Any, float, float]:
    """Wall and CPU seconds of ``fn()``, with the cyclic GC paused as ``Manager.plan`` does."""
    gc.disable()
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        return result, time.perf_counter() - wall, time.process_time() - cpu
    finally:
        gc.enable()


def helpers_cpu() -> float:
    """CPU seconds of the child processes that have ended so far (the load's forked helpers;
    the served emulator ends only after the runs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="template-languages")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--parallelism", type=int, default=10, help="naive: GETs in flight")
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--runs", type=int, default=3, help="cold + warm pairs")
    parser.add_argument(
        "--embedded",
        action="store_true",
        help="run the emulator in-process (its own CPU then counts against the plan) instead of "
        "as a separate server process, like the real API",
    )
    args = parser.parse_args()
    # Before this process grows: see _report.Launcher.
    LAUNCHER.append(Launcher())

    with tempfile.TemporaryDirectory(prefix="waform-plan-bench-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        templates, config = setup(root, args.n)
        print(
            f"setup: {args.n} template-languages in {math.ceil(args.n / 2)} files, seeded "
            f"in {time.perf_counter() - started:.1f} s (not timed)"
        )
        with contextlib.ExitStack() as stack:
            if args.embedded:
                target = "local"
                control = EmulatorControl.in_process(root / "state.sqlite3")
            else:
                target = "served"
                url = stack.enter_context(served_emulator(root, config))
                # Our own emulator on loopback: trusted with the (fake) credentials the way a
                # user trusts a host, from the environment (the config cannot do it).
                os.environ.update(
                    BENCH_KEY_ID="local", BENCH_KEY_SECRET="local", WAFORM_TRUSTED_HOSTS="127.0.0.1"
                )
                control = EmulatorControl.connect(url)
            with control:
                control.set_faults(latency_ms=args.latency_ms)
                CONTROL.append(control)
                where = "in-process" if args.embedded else "in its own process"
                print(f"emulator {where}, {args.latency_ms:g} ms latency per request")
                manager = Manager.from_options([templates], config_path=config, target=target)
                return run(manager, templates, args)


TARGETS = {"cold": 2.0, "warm": 1.0}
TARGET_RATIO = 30.0
TARGET_MEMORY_MB = 200.0


def expected_requests(n: int) -> tuple[int, str]:
    """The requests of one plan's fetch, and how they come about: the name-prefix parts the
    desired names are cut into, each ⌈size / 1000⌉ pages, plus one for the total (or, with
    no parts, one sweep page after page)."""
    files = math.ceil(n / len(LANGUAGES))
    names = sorted(template_name(i) for i in range(files) for _ in LANGUAGES)
    parts = cut(names, "", page_size=1000, at_once=CONCURRENCY)
    if not parts:
        return max(1, math.ceil(n / 1000)), "pages in turn"
    pages = [math.ceil(sum(name.startswith(p) for name in names) / 1000) for p in parts]
    return sum(pages) + 1, f"{len(parts)} parts, {max(pages)} pages each at most, 1 total"


def run(manager: Manager, templates: Path, args: argparse.Namespace) -> int:
    budget, how = expected_requests(args.n)
    failed = False
    colds: list[float] = []
    for number in range(1, args.runs + 1):
        # An empty cache for the cold run, kept for the warm one.
        os.environ["WAFORM_CACHE_DIR"] = tempfile.mkdtemp(prefix="waform-plan-bench-cache-")
        for kind in ("cold", "warm"):
            before, helpers = len(manager_log(args)), helpers_cpu()
            outcome, wall, cpu = measure(lambda: run_sync(manager.plan([templates])))
            helpers = helpers_cpu() - helpers
            plan = outcome.plan
            refused = sum(1 for r in manager_log(args)[before:] if r.get("status") == 429)
            phases = ", ".join(f"{k} {v:.2f} s" for k, v in outcome.timings.items())
            ok = wall <= TARGETS[kind] and plan.requests <= budget
            print(
                f"run {number} {kind:4}: wall {wall:5.2f} s (target ≤ {TARGETS[kind]:.1f})  "
                f"cpu {cpu:5.2f} s (+{helpers:.2f} s helpers)  requests {plan.requests} "
                f"(≤ {budget}: {how})  429s {refused}  "
                f"({phases})  {'ok' if ok else 'MISSED'}"
            )
            if plan.has_changes or plan.summary.noop != args.n:
                print("error: the seeded remote should plan to zero changes", file=sys.stderr)
                return 1
            failed |= plan.requests > budget
            if kind == "cold":
                colds.append(wall)
            # What the plan was made from, kept with it, is freed here, between the runs: the
            # `waform plan` process never frees it (waform.console.end).
            del outcome, plan
    for kind, wall, memory in command_runs(manager, templates):
        print(
            f"`waform plan` process, {kind}: wall {wall:5.2f} s (interpreter start included), "
            f"peak memory of its largest process {memory:.0f} MB (target ≤ {TARGET_MEMORY_MB:.0f} MB)"
        )
    print(
        f"(a bare interpreter started the same way: {LAUNCHER[0].floor_mb:.0f} MB; this bench "
        f"process itself: {peak_memory_mb():.0f} MB peak)"
    )

    if not args.skip_naive:
        uncached = Manager(manager.config, target=manager.target_name, use_cache=False)
        (naive, requests), n_wall, n_cpu = measure(
            lambda: asyncio.run(naive_plan(uncached, templates, args.parallelism))
        )
        print(
            f"naive (1 GET each, {args.parallelism} in flight): wall {n_wall:6.2f} s  "
            f"cpu {n_cpu:6.2f} s  requests {requests:6d}"
        )
        ratios = ", ".join(f"{n_wall / wall:.1f}x" for wall in colds)
        print(f"ratio naive / waform cold: {ratios} (target ≥ {TARGET_RATIO:.0f}x)")
    return 1 if failed else 0


def command_runs(manager: Manager, templates: Path) -> list[tuple[str, float, float]]:
    """``waform plan`` as its own process, cold then warm: wall seconds and peak memory (MB),
    started through :data:`LAUNCHER` so that this bench's own size does not count."""
    os.environ["WAFORM_CACHE_DIR"] = tempfile.mkdtemp(prefix="waform-plan-bench-cache-")
    config = manager.config.path
    command = [sys.executable, "-m", "waform", "plan", str(templates), "--config", str(config)]
    out = []
    for kind in ("cold", "warm"):
        run = LAUNCHER[0].run([*command, "--target", manager.target.name])
        assert run.returncode == 0, f"waform plan exited {run.returncode}"
        out.append((kind, run.wall, run.peak_mb))
    return out


def manager_log(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The emulator's request log (for the 429 count)."""
    return CONTROL[0].requests(PROJECT) if CONTROL else []


#: The emulator's control client, while it runs.
CONTROL: list[Any] = []
#: Starts the ``waform plan`` processes (created first thing in :func:`main`).
LAUNCHER: list[Launcher] = []

if __name__ == "__main__":
    sys.exit(main())
