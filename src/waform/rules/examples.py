"""A passing and a failing template for each rule, shipped with waform and tested.

``waform rules WA-XX`` and ``validate --explain`` print them; the tests run every one through
``waform validate`` and check the findings named on its first line (``# expect: WA-V7 9:17``,
``# expect: none``, or ``# expect: schema 5:3`` for rules the model enforces). A passing example
must produce no finding of any rule, which is how the tests prove that no two rules contradict:
the fix one rule suggests never trips another.

Layout: ``examples/checks/<ref>_pass.yaml`` / ``<ref>_fail.yaml`` for rules the rule engine checks,
``examples/schema/…`` for rules the model enforces; a directory instead of a file holds several
files (rules across files, or one that needs a particular file name).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from waform.rules.rule import Rule

ROOT = Path(__file__).resolve().parent / "examples"
CHECKS = ROOT / "checks"
SCHEMA = ROOT / "schema"
EXPECT_PREFIX = "# expect: "


@dataclass(frozen=True, slots=True)
class Example:
    """One example of a rule: ``passes`` or fails, as files (path → text without the expect line)."""

    passes: bool
    path: Path
    files: tuple[tuple[Path, str], ...]


def example_paths(rule: Rule) -> dict[str, Path]:
    """``{"pass": path, "fail": path}`` of the rule's examples that exist (file or directory)."""
    stem = rule.ref.lower()
    found: dict[str, Path] = {}
    for folder in (CHECKS, SCHEMA):
        for outcome in ("pass", "fail"):
            for candidate in (folder / f"{stem}_{outcome}.yaml", folder / f"{stem}_{outcome}"):
                if candidate.exists():
                    found.setdefault(outcome, candidate)
    return found


def files_of(path: Path) -> list[Path]:
    return sorted(path.glob("*.yaml")) if path.is_dir() else [path]


def examples(rule: Rule) -> list[Example]:
    """The rule's passing then failing example (none for rules nothing can check offline)."""
    out = []
    for outcome, path in sorted(example_paths(rule).items(), reverse=True):
        files = tuple((file, _without_expectation(file)) for file in files_of(path))
        out.append(Example(outcome == "pass", path, files))
    return out


def _without_expectation(path: Path) -> str:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if lines and lines[0].startswith(EXPECT_PREFIX):
        lines = lines[1:]
    return "".join(lines)
