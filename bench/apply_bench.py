"""Benchmark: ``waform apply`` creating 1,000 templates against a rate-limited emulator.

The emulator refuses more than ``--rate`` requests in any sliding second (429 with
``Retry-After``), like a real per-project limit. 1,000 creates at 20 requests/s cannot take less
than 50 s (the floor); the applier must find the limit by itself (it is told nothing) and stay
close to it without hitting it: targets ≤ 1.03 × the floor and ≤ 3 % of requests answered 429,
with zero failed actions.

The run uses the real pipeline in-process: files → ``Manager.plan`` → ``Manager.apply`` on the
embedded emulator (the rate limit is configured through the emulator's control API, in the
shared state file). The plan's fetch happens before the limit is set; apply's stale check (one
list request) is part of the timed run.

    python bench/apply_bench.py                 # 1,000 creates at 20 req/s (~52 s)
    python bench/apply_bench.py --count 200 --rate 50
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from waform.apply.runner import ApplyOptions
from waform.commands.options import run_sync
from waform.config import load_config
from waform.emulator import EmulatorControl
from waform.manager import Manager

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import peak_memory_mb  # noqa: E402

TARGET_RATIO = 1.03
TARGET_REFUSED = 0.03


def write_templates(directory: Path, count: int) -> None:
    directory.mkdir(parents=True)
    for i in range(count):
        name = f"bench_notice_{i:05d}"
        (directory / f"{name}.yaml").write_text(
            textwrap.dedent(
                f"""\
                name: {name}
                category: UTILITY
                languages:
                  en_US:
                    details:
                      components:
                        - type: BODY
                          text: "Hello {{{{1}}}}, notice number {i} about your account {{{{2}}}} is ready."
                          examples: ["Anna", "A-{i:05d}"]
                """
            ),
            encoding="utf-8",
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="templates to create")
    parser.add_argument("--rate", type=float, default=20.0, help="emulator limit, requests/s")
    parser.add_argument("--parallelism", type=int, default=8)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="waform-apply-bench-") as tmp:
        root = Path(tmp)
        templates = root / "templates"
        state = root / "state.sqlite3"
        (root / "waform.yaml").write_text(
            f"targets:\n  local: {{type: local, state: {state.name}}}\n"
            "safety: {minManaged: 100000}\n",
            encoding="utf-8",
        )
        write_templates(templates, args.count)
        control = EmulatorControl.in_process(state)
        control.set_review_delay(10**6)  # no reviews while the benchmark runs

        manager = Manager(load_config(None, templates))
        started = time.perf_counter()
        outcome = run_sync(manager.plan([templates]))
        plan_seconds = time.perf_counter() - started
        plan = outcome.plan
        assert len(plan.actions) == args.count, plan.summary

        control.set_rate_limit(args.rate)
        started = time.perf_counter()
        report = run_sync(manager.apply(plan, ApplyOptions(parallelism=args.parallelism)))
        wall = time.perf_counter() - started
        control.clear_rate_limit()

        log = control.requests("local")
        created = sum(1 for r in log if r["method"] == "POST" and (r.get("status") == 201))
        control.close()

    floor = args.count / args.rate
    ratio = wall / floor
    failed = len(report.failures)
    refused = report.throttled / max(report.requests, 1)
    print(f"apply bench: {args.count} creates, emulator limit {args.rate:g} requests/s")
    print(f"  plan (before the limit): {plan_seconds:.2f} s")
    print(f"  apply wall time:         {wall:.2f} s")
    print(f"  floor ({args.count} / {args.rate:g}):      {floor:.2f} s")
    print(f"  wall / floor:            {ratio:.3f} (target ≤ {TARGET_RATIO})")
    print(f"  failed actions:          {failed}")
    print(f"  templates created:       {created}")
    print(f"  requests sent:           {report.requests}")
    print(
        f"  answered 429:            {report.throttled} = {refused:.1%} "
        f"(target ≤ {TARGET_REFUSED:.0%})"
    )
    print(f"  peak memory:             {peak_memory_mb():.0f} MB")
    verdict = (
        ratio <= TARGET_RATIO
        and refused <= TARGET_REFUSED
        and failed == 0
        and created == args.count
    )
    print(f"  result:                  {'PASS' if verdict else 'FAIL'}")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
