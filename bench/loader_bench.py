"""Benchmark: load and validate N template-languages (two per file) with ``load_paths``.

The budget (issue 2): 10,000 template-languages in 5,000 files must load and validate in at most
2 s of CPU. Run::

    python bench/loader_bench.py [N] [--repeat 3] [--rules]

It writes N/2 realistic files (header, body with variables, footer, URL / quick-reply / phone
buttons, media headers, a few MARKETING templates with optimization and TTL; languages rotating
through Meta and Sinch spellings) into a temporary directory, then times ``load_paths`` —
directory walk, size check, UTF-8, safe YAML with positions, the models, checks across files —
and prints CPU (``time.process_time``) and wall seconds per run.

``load_paths`` pauses the cyclic garbage collector while it loads; the collector's first pass
over the loaded objects follows at the next allocation. That pass is part of the cost of
loading: the timed region ends with ``gc.collect(0)`` so it is always inside. ``--rules`` also
times ``waform validate``'s whole pipeline (loader + Meta's rules).
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

LANGUAGE_PAIRS = [("en_US", "DE"), ("EN_GB", "es_ES"), ("fr", "PT_BR"), ("IT", "nl"), ("en", "ja")]

UTILITY = """\
# yaml-language-server: $schema=../schemas/template.schema.json
name: {name}
category: UTILITY
allowCategoryChange: false
languages:
{languages}"""

UTILITY_LANGUAGE = """\
  {language}:
    details:
      components:
        - type: HEADER
          format: TEXT
          text: "Order {{{{1}}}} update"
          example: "A-{i}"
        - type: BODY
          text: "Hi {{{{1}}}}, your order {{{{2}}}} from store {i} has shipped and should arrive by {{{{3}}}}. Follow the parcel with the button below."
          examples: ["Anna", "A-{i}", "Friday"]
        - type: FOOTER
          text: "Example Shop {i}"
        - type: BUTTONS
          buttons:
            - type: URL
              text: "Track package"
              url: "https://example.com/track/{{{{1}}}}"
              example: "https://example.com/track/A-{i}"
            - type: QUICK_REPLY
              text: "Talk to us"
      messageSendTtlSeconds: 3600
"""

MARKETING = """\
# yaml-language-server: $schema=../schemas/template.schema.json
name: {name}
category: MARKETING
status: draft
languages:
{languages}"""

MARKETING_LANGUAGE = """\
  {language}:
    saveDraftOnFailure: true
    details:
      components:
        - type: HEADER
          format: IMAGE
          example:
            url: "https://example.com/media/sale-{i}.jpg"
            mimeType: IMAGE/JPEG
        - type: BODY
          text: "Hello {{{{1}}}}, our spring sale in store {i} starts today: {{{{2}}}} off everything until Sunday."
          examples: ["Anna", "20%"]
        - type: FOOTER
          text: "Reply STOP to opt out"
        - type: BUTTONS
          buttons:
            - type: PHONE_NUMBER
              text: "Call the store"
              phoneNumber: "+4930123{i:05d}"
            - type: QUICK_REPLY
              text: "Stop promotions"
      optimization:
        bidAmount: 0.05
        bidStrategy: LOWEST_COST_WITH_BID_CAP
"""


def write_templates(root: Path, count: int) -> int:
    """Write ``count`` template-languages, two per file; returns the number of files."""
    files = (count + 1) // 2
    for i in range(files):
        marketing = i % 5 == 4
        name = f"{'spring_sale' if marketing else 'order_update'}_{i:05d}"
        pair = LANGUAGE_PAIRS[i % len(LANGUAGE_PAIRS)]
        languages = pair if 2 * i + 1 < count else pair[:1]
        block = MARKETING_LANGUAGE if marketing else UTILITY_LANGUAGE
        body = "".join(block.format(language=code, i=i) for code in languages)
        text = (MARKETING if marketing else UTILITY).format(name=name, languages=body)
        (root / f"{name}.yaml").write_text(text, encoding="utf-8")
    return files


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(CPU seconds, wall seconds, result), the collector's pass over the result included."""
    gc.collect()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = fn()
    gc.collect(0)
    return time.process_time() - cpu0, time.perf_counter() - wall0, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=10_000, help="template-languages")
    parser.add_argument("--repeat", type=int, default=3, help="runs (the best is reported)")
    parser.add_argument("--rules", action="store_true", help="also time loader + Meta's rules")
    args = parser.parse_args(argv)

    from waform.config import Config
    from waform.loader import load_paths
    from waform.manager import Manager

    root = Path(tempfile.mkdtemp(prefix="waform-loader-bench-"))
    try:
        files = write_templates(root, args.count)
        print(f"{args.count:,} template-languages in {files:,} files ({root})")
        best = None
        for run in range(1, args.repeat + 1):
            cpu, wall, loaded = timed(lambda: load_paths([root]))
            assert loaded.ok, [d.render() for d in loaded.diagnostics[:5]]
            assert len(loaded.templates) == args.count, len(loaded.templates)
            print(f"run {run}: load_paths {cpu:.3f} s CPU, {wall:.3f} s wall")
            best = cpu if best is None else min(best, cpu)
            del loaded
        assert best is not None
        per = best / args.count * 1e6
        print(
            f"best: {best:.3f} s CPU = {per:.0f} µs per template-language (budget: 2 s for 10,000)"
        )
        if args.rules:
            manager = Manager(Config(), offline=True)
            cpu, wall, report = timed(lambda: manager.validate([root]))
            errors = sum(1 for d in report.diagnostics if d.severity == "error")
            print(
                f"validate (loader + Meta's rules): {cpu:.3f} s CPU, {wall:.3f} s wall, "
                f"{len(report.diagnostics)} diagnostics ({errors} errors)"
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
