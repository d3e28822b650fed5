"""Benchmark: Meta's rules on 10,000 template-languages versus loading them.

The budget (issue 7): validating with every rule must take at most 2× the loader's time alone,
i.e. the rules may add at most as much time as loading. Run::

    python bench/rules_bench.py [--languages 10000] [--per-file 4] [--repeat 3] [--findings 25]

It writes synthetic template files (all categories, carousels, offers, OTP buttons; each
language a little different) into a temporary directory, then times ``load_paths`` alone and
``check_files`` over freshly loaded files (best of ``--repeat``), and prints the figures.
``--findings PERCENT`` gives that share of the files rule errors: locating a finding parses
its file again (once per file, however many findings it has), which this measures.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from waform.loader import load_paths
from waform.rules import RuleSettings, check_files

LANGUAGES = ["en_US", "DE", "es_ES", "PT_BR", "fr", "IT", "NL", "ja"]

UTILITY = """\
- type: HEADER
  format: TEXT
  text: "Order {{{{1}}}} update {i}"
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
    - type: PHONE_NUMBER
      text: "Call us"
      phoneNumber: "+49 30 {i:07d}"
"""

MARKETING = """\
- type: BODY
  text: "Hi {{{{1}}}}, week {i} brings new favourites from our summer range: swipe through the cards and tap one to find out more."
  examples: ["Maya"]
- type: CAROUSEL
  cards:
    - components:
        - type: HEADER
          format: IMAGE
          example:
            url: "https://example.com/media/{i}/a.jpg"
        - type: BODY
          text: "Polarised sunglasses, model {i}."
        - type: BUTTONS
          buttons:
            - type: QUICK_REPLY
              text: "Tell me more"
            - type: URL
              text: "Shop now"
              url: "https://example.com/products/{{{{1}}}}"
              example: "https://example.com/products/p-{i}"
    - components:
        - type: HEADER
          format: IMAGE
          example:
            url: "https://example.com/media/{i}/b.jpg"
        - type: BODY
          text: "Beach towel in quick-dry cotton, colour {i}."
        - type: BUTTONS
          buttons:
            - type: QUICK_REPLY
              text: "Tell me more"
            - type: URL
              text: "Shop now"
              url: "https://example.com/products/{{{{1}}}}"
              example: "https://example.com/products/t-{i}"
"""

OFFER = """\
- type: HEADER
  format: IMAGE
  example:
    url: "https://example.com/media/offer-{i}.png"
- type: LIMITED_TIME_OFFER
  text: "Sale {i}"
  hasExpiration: true
- type: BODY
  text: "Hi {{{{1}}}}, for the next 24 hours everything in outlet {i} is an extra 20% off. Copy the code and use it at checkout."
  examples: ["Daniel"]
- type: BUTTONS
  buttons:
    - type: COPY_CODE
      example: "FLASH{i}"
    - type: URL
      text: "Shop the outlet"
      url: "https://example.com/outlet?code={{{{1}}}}"
      example: "https://example.com/outlet?code=FLASH{i}"
"""

AUTH = """\
- type: BODY
  addSecurityRecommendation: true
- type: FOOTER
  codeExpirationMinutes: 10
- type: BUTTONS
  buttons:
    - type: OTP
      otpType: ONE_TAP
      text: "Copy code"
      autofillText: "Autofill"
      supportedApps:
        - packageName: com.example.app{i}
          signatureHash: "K8a/3Hq+Zt0"
"""

KINDS = [("UTILITY", UTILITY), ("MARKETING", MARKETING), ("MARKETING", OFFER),
         ("AUTHENTICATION", AUTH)]  # fmt: skip


def _indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "".join(pad + line if line.strip() else line for line in text.splitlines(True))


def _with_findings(components: str) -> str:
    """The same template with errors: a body that starts with a variable (WA-V7), or for
    AUTHENTICATION a code expiry beyond 90 minutes (WA-A2)."""
    return components.replace('text: "Hi {{{{1}}}}, ', 'text: "{{{{1}}}}, ').replace(
        "codeExpirationMinutes: 10", "codeExpirationMinutes: 95"
    )


def write_corpus(root: Path, languages: int, per_file: int, findings: int = 0) -> int:
    """Write the corpus; ``findings`` % of the files (every kind alike) get rule errors."""
    files = 0
    written = 0
    while written < languages:
        category, components = KINDS[files % len(KINDS)]
        group = files // len(KINDS)
        if (group + 1) * findings // 100 > group * findings // 100:
            components = _with_findings(components)
        parts = [f"name: bench_template_{files}\ncategory: {category}\nlanguages:\n"]
        for j in range(min(per_file, languages - written)):
            i = files * per_file + j
            parts.append(f"  {LANGUAGES[j % len(LANGUAGES)]}:\n    details:\n      components:\n")
            parts.append(_indent(components.format(i=i), 8))
            written += 1
        (root / f"bench_template_{files}.yaml").write_text("".join(parts), encoding="utf-8")
        files += 1
    return files


def best(repeat: int, fn):  # noqa: ANN001, ANN201
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def rules_on_fresh_files(repeat: int, root: Path, settings: RuleSettings):  # noqa: ANN201
    """Best time of ``check_files`` over freshly loaded files: a loaded file parses its text
    again the first time a finding is located in it, and that cost belongs to the rules."""
    times, result = [], None
    for _ in range(repeat):
        files = load_paths([root]).files
        start = time.perf_counter()
        result = check_files(files, settings)
        times.append(time.perf_counter() - start)
    return min(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", type=int, default=10_000)
    parser.add_argument("--per-file", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--findings",
        type=int,
        default=0,
        metavar="PERCENT",
        help="share of files with rule errors (each finding is located in its file)",
    )
    args = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="waform-rules-bench-"))
    try:
        files = write_corpus(root, args.languages, args.per_file, args.findings)
        load_time, loaded = best(args.repeat, lambda: load_paths([root]))
        if not loaded.ok:
            print("the synthetic corpus does not load:", loaded.diagnostics[:3], file=sys.stderr)
            return 1
        every_rule = RuleSettings(overrides={"WA-BT13": "warning"})  # the one rule off by default
        rules_time, diagnostics = rules_on_fresh_files(args.repeat, root, every_rule)
        languages = sum(len(f.template.languages) for f in loaded.files)
        ratio = (load_time + rules_time) / load_time
        print(f"template-languages: {languages} in {files} files")
        print(
            f"loader alone:       {load_time:8.3f} s  ({load_time / languages * 1e6:6.1f} µs each)"
        )
        print(
            f"rules alone:        {rules_time:8.3f} s  ({rules_time / languages * 1e6:6.1f} µs each)"
        )
        print(
            f"validate (both):    {load_time + rules_time:8.3f} s  = {ratio:.2f}× the loader "
            "(budget 2.00×)"
        )
        with_findings = len({d.path for d in diagnostics})
        print(
            f"diagnostics:        {len(diagnostics)} in {with_findings} files "
            f"({100 * with_findings / files:.0f} % of the files)"
        )
        return 0 if ratio <= 2.0 else 1
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
