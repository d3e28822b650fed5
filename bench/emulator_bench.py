"""Emulator throughput on this machine: list (pageSize 1000) and create, in-process and served.

Prints requests/second and latency percentiles. The plan benchmark relies on the first figure:
a full 1,000-template page must be served in-process in ≤ 25 ms (median); the script exits 1
if it is not.

    python bench/emulator_bench.py [--templates 1000] [--creates 500] [--no-served]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from waform.emulator import EMBEDDED_BASE_URL, embedded_transport

PROJECT = "bench"
API = f"/v1/projects/{PROJECT}/whatsapp/templates"
AUTH = ("local", "local")
LIST_TARGET_MS = 25.0


def body(i: int) -> dict:
    return {
        "name": f"bench_template_{i:05d}",
        "language": "EN_US",
        "category": "UTILITY",
        "status": "SUBMIT",
        "details": {
            "components": [
                {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}", "example": "A-1"},
                {
                    "type": "BODY",
                    "text": "Hi {{1}}, your order {{2}} has shipped and will arrive soon.",
                    "examples": ["Anna", "A-1042"],
                },
                {"type": "FOOTER", "text": "Example Shop"},
                {
                    "type": "BUTTONS",
                    "buttons": [
                        {
                            "type": "URL",
                            "text": "Track",
                            "url": "https://example.com/t/{{1}}",
                            "example": "https://example.com/t/A-1042",
                        },
                        {"type": "QUICK_REPLY", "text": "Thanks"},
                    ],
                },
            ]
        },
    }


def report(label: str, samples: list[float]) -> float:
    samples = sorted(samples)
    median = statistics.median(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    rps = len(samples) / sum(samples)
    print(
        f"{label:<42} {rps:9.1f} req/s   median {median * 1000:7.2f} ms   "
        f"p95 {p95 * 1000:7.2f} ms   n={len(samples)}"
    )
    return median


async def run_async(client: httpx.AsyncClient, templates: int, creates: int, label: str) -> float:
    timings: list[float] = []
    for i in range(templates):
        started = time.perf_counter()
        response = await client.post(API, json=body(i))
        timings.append(time.perf_counter() - started)
        assert response.status_code == 201, response.text
    report(f"{label}: create (sequential)", timings[:creates] if creates else timings)
    served: list[float] = []
    parsed: list[float] = []
    for _ in range(40):
        started = time.perf_counter()
        response = await client.get(API, params={"pageSize": 1000})
        served.append(time.perf_counter() - started)
        data = response.json()
        parsed.append(time.perf_counter() - started)
        assert len(data["templates"]) == min(templates, 1000)
    median = report(f"{label}: list pageSize=1000 ({templates} stored)", served)
    report(f"{label}:   … + client JSON parse", parsed)
    return median


async def in_process(templates: int, creates: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        transport = embedded_transport(Path(tmp) / "bench.sqlite3")
        async with httpx.AsyncClient(
            transport=transport, base_url=EMBEDDED_BASE_URL, auth=AUTH
        ) as client:
            return await run_async(client, templates, creates, "in-process")


def start_server(state: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``waform emulator serve --port 0`` in its own process (no GIL shared with the client)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "waform", "emulator", "serve", "--port", "0", "--state", str(state)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "WAFORM_EMULATOR_REVIEW_DELAY": "3600"},
    )
    assert proc.stderr is not None
    line = proc.stderr.readline().decode()
    if "listening on " not in line:
        proc.kill()
        raise RuntimeError(f"emulator did not start: {line}")
    url = line.split("listening on ", 1)[1].split()[0]
    for _ in range(200):
        try:
            httpx.get(url + "/_emulator/health", timeout=1)
            return proc, url
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("emulator did not answer")


async def served(templates: int, creates: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp) / "bench.sqlite3")
        try:
            async with httpx.AsyncClient(base_url=url, auth=AUTH) as client:
                await run_async(client, templates, creates, "served (subprocess, loopback)")
                started = time.perf_counter()
                sem = asyncio.Semaphore(8)

                async def one(i: int) -> None:
                    async with sem:
                        r = await client.post(API, json=body(100_000 + i))
                        assert r.status_code == 201

                await asyncio.gather(*(one(i) for i in range(creates)))
                elapsed = time.perf_counter() - started
                print(f"{'served: create (8 concurrent)':<42} {creates / elapsed:9.1f} req/s")
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--templates", type=int, default=1000)
    parser.add_argument("--creates", type=int, default=0, help="0: all of --templates")
    parser.add_argument("--no-served", action="store_true")
    args = parser.parse_args()
    median = asyncio.run(in_process(args.templates, args.creates))
    if not args.no_served:
        asyncio.run(served(args.templates, args.creates or 300))
    ok = median * 1000 <= LIST_TARGET_MS
    print(
        f"target: in-process page of 1000 ≤ {LIST_TARGET_MS:.0f} ms median: "
        f"{'met' if ok else 'MISSED'} ({median * 1000:.2f} ms)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
