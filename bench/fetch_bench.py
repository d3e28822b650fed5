"""Benchmark: reading remote state with ``fetch_remote`` (no loading, no diff).

Setup (not timed): N approved templates are bulk-seeded into an emulator state file (see
``_seed.py``) and the emulator adds ``latency_ms`` to every API request.

Timed, on the embedded emulator:

1. **sweep** — ``fetch_remote(names=None)``: the list endpoint with ``pageSize=1000``;
   expected ⌈N/1000⌉ requests.
2. **by-name** — ``fetch_remote(names=…)`` for 20 names (the threshold): one
   ``listTemplatesByName`` per name, 8 in flight.
3. **sweep with faults** — the sweep again with 20 % of requests answered 429/500/409 first
   (``Retry-After: 0``): the extra requests are the retries.

Prints wall time and requests for each. Usage::

    python bench/fetch_bench.py [--n 10000] [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _seed import seed_approved  # noqa: E402

from waform.client import RetryPolicy  # noqa: E402
from waform.config import Config, LocalTarget  # noqa: E402
from waform.connect import open_provider  # noqa: E402
from waform.emulator import EmulatorControl  # noqa: E402
from waform.fetcher import fetch_remote  # noqa: E402

PROJECT = "bench"


def _details(i: int) -> dict:
    return {"components": [{"type": "BODY", "text": f"Hello {{{{1}}}}, this is message {i}.",
                            "examples": ["Anna"]}]}  # fmt: skip


async def _fetch(state: Path, names: set[str] | None) -> tuple[float, int, int]:
    retry = RetryPolicy(base_delay=0.01, max_delay=0.05)
    started = time.perf_counter()
    async with open_provider(LocalTarget("local", state, PROJECT), retry=retry) as client:
        result = await fetch_remote(client, names=names, config=Config())
    return time.perf_counter() - started, result.requests, len(result.templates)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state.sqlite3"
        seed_approved(
            state,
            PROJECT,
            ((f"bench_{i:05d}", "EN_US", "UTILITY", _details(i)) for i in range(args.n)),
        )
        with EmulatorControl.in_process(state) as control:
            control.set_faults(latency_ms=args.latency_ms)
        print(f"setup: {args.n} templates, {args.latency_ms:g} ms latency per request")

        wall, requests, found = asyncio.run(_fetch(state, None))
        print(
            f"sweep:             {wall:6.2f} s  {requests:5d} requests "
            f"(expected {math.ceil(args.n / 1000)})  {found} templates"
        )
        names = {f"bench_{i:05d}" for i in range(0, args.n, max(1, args.n // 20))}
        wall, requests, found = asyncio.run(_fetch(state, set(list(names)[:20])))
        print(f"by-name (20):      {wall:6.2f} s  {requests:5d} requests  {found} templates")

        with EmulatorControl.in_process(state) as control:
            control.set_faults(
                latency_ms=args.latency_ms,
                seed=1,
                throttle_rate=0.1,
                error_rate=0.05,
                locked_rate=0.05,
                retry_after=0,
            )
        wall, requests, found = asyncio.run(_fetch(state, None))
        print(f"sweep with faults: {wall:6.2f} s  {requests:5d} requests  {found} templates")
    return 0


if __name__ == "__main__":
    sys.exit(main())
