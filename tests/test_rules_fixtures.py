"""Meta's rules over YAML fixtures, through the real loader: ids, lines and columns.

The rules' examples (:mod:`waform.rules.examples`, shipped with waform and printed by
``waform rules WA-XX``) are the fixtures; the synthetic corpus stays in ``tests/fixtures/rules``:

- ``checks/<rule>_fail.yaml`` / ``checks/<rule>_pass.yaml`` (or a directory of files, for rules that
  compare files or need a particular file name): the first line of each file says what the
  rules must report *in that file*, ``# expect: WA-V7 9:17, WA-V8 12:11`` (rule id, line,
  column) or ``# expect: none``;
- ``schema/<rule>_fail…`` / ``<rule>_pass…`` for rules the loader or model enforces:
  ``# expect: schema LINE:COL`` names where the loader must report the error (``none``: loads);
- ``corpus/*.yaml``: realistic templates; ``# expect: WA-V7, WA-BT12`` lists the rule ids (with
  repeats) the file must produce, ``# expect: none`` means no diagnostic at all.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from waform.loader import load_paths
from waform.rules import RULES, check_files
from waform.rules import examples as rule_examples

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "rules"
CASES = sorted(rule_examples.CHECKS.iterdir())
SCHEMA_CASES = sorted(rule_examples.SCHEMA.iterdir())
CORPUS = FIXTURES / "corpus"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "templates"

_EXPECT = re.compile(r"^# expect: (.+)$")
_LOCATED = re.compile(r"^(WA-[A-Z]+[0-9]+) ([0-9]+):([0-9]+)$")


def _files(case: Path) -> list[Path]:
    return sorted(case.glob("*.yaml")) if case.is_dir() else [case]


def _expectation(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = _EXPECT.match(first)
    assert match, f"{path}: first line must be `# expect: …`"
    return match.group(1).strip()


def _located(path: Path) -> set[tuple[str, int, int]]:
    text = _expectation(path)
    if text == "none":
        return set()
    out = set()
    for item in text.split(","):
        match = _LOCATED.match(item.strip())
        assert match, f"{path}: bad expectation {item!r} (want `WA-ID LINE:COL`)"
        out.add((match.group(1), int(match.group(2)), int(match.group(3))))
    return out


def _rule_id(case: Path) -> str:
    return "WA-" + case.name.split("_")[0].upper()


def _outcome(case: Path) -> str:
    return case.name.removesuffix(".yaml").split("_")[1]  # "fail" | "pass"


def _load_clean(paths: list[Path]):  # noqa: ANN202
    loaded = load_paths(paths)
    problems = [d.render() for d in loaded.diagnostics if d.severity == "error"]
    assert loaded.ok and not problems, problems
    return loaded


# ---------------------------------------------------------------- one rule per fixture


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_rule_case_reports_exactly_the_expected_locations(case: Path) -> None:
    loaded = _load_clean([case])
    diagnostics = check_files(loaded.files)
    for path in _files(case):
        got = {
            (d.code, d.line, d.column)
            for d in diagnostics
            if Path(d.path).resolve() == path.resolve()
        }
        assert got == _located(path), [d.render() for d in diagnostics]
    if _outcome(case) == "fail":
        assert any(d.code == _rule_id(case) for d in diagnostics)
    else:
        assert not any(d.code == _rule_id(case) for d in diagnostics)


def test_every_checked_rule_has_a_failing_and_a_passing_case() -> None:
    names = {case.name.removesuffix(".yaml") for case in CASES}
    for rule in RULES.values():
        if rule.scope in ("template", "cross"):
            stem = rule.ref.lower()
            assert f"{stem}_fail" in names, f"no failing case for {rule.id}"
            assert f"{stem}_pass" in names, f"no passing case for {rule.id}"


def test_a_failing_case_names_its_rule_in_the_expectation() -> None:
    for case in CASES:
        if _outcome(case) == "fail":
            expected = {code for path in _files(case) for code, _, _ in _located(path)}
            assert _rule_id(case) in expected, case.name


# ---------------------------------------------------------------- rules the schema enforces


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=lambda p: p.name)
def test_schema_enforced_rule_case(case: Path) -> None:
    loaded = load_paths([case])
    for path in _files(case):
        errors = [
            (d.line, d.column)
            for d in loaded.diagnostics
            if d.severity == "error" and Path(d.path).resolve() == path.resolve()
        ]
        text = _expectation(path)
        if text == "none":
            assert errors == [], [d.render() for d in loaded.diagnostics]
        else:
            line, column = (int(part) for part in text.removeprefix("schema ").split(":"))
            assert (line, column) in errors, [d.render() for d in loaded.diagnostics]
    if _outcome(case) == "pass":
        assert loaded.ok and check_files(loaded.files) == []
    else:
        assert not loaded.ok


def test_every_schema_rule_has_a_failing_and_a_passing_case() -> None:
    names = {case.name.removesuffix(".yaml") for case in SCHEMA_CASES}
    for rule in RULES.values():
        if rule.scope == "schema":
            stem = rule.ref.lower()
            assert {f"{stem}_fail", f"{stem}_pass"} <= names, f"missing schema cases for {rule.id}"


# ---------------------------------------------------------------- realistic corpus


def _expected_ids(path: Path) -> list[str]:
    text = _expectation(path)
    return [] if text == "none" else sorted(item.strip() for item in text.split(","))


@pytest.fixture(scope="module")
def corpus():  # noqa: ANN201
    paths = sorted(CORPUS.glob("*.yaml"))
    loaded = _load_clean([CORPUS])
    return paths, loaded, check_files(loaded.files)


def test_corpus_is_broad(corpus) -> None:  # noqa: ANN001
    paths, loaded, _ = corpus
    assert len(paths) >= 30
    assert len(loaded.files) == len(paths)
    assert {f.template.category for f in loaded.files} == {
        "AUTHENTICATION",
        "MARKETING",
        "UTILITY",
    }
    base_languages = {code.split("_")[0] for f in loaded.files for code in f.template.languages}
    assert len(base_languages) >= 5, base_languages
    valid = [p for p in paths if _expected_ids(p) == []]
    assert len(valid) >= 10 and len(paths) - len(valid) >= 10


def test_corpus_reports_exactly_the_expected_rule_ids(corpus) -> None:  # noqa: ANN001
    paths, _, diagnostics = corpus
    by_file: dict[Path, list[str]] = {}
    for d in diagnostics:
        by_file.setdefault(Path(d.path).resolve(), []).append(d.code)
    mismatches = {
        path.name: (_expected_ids(path), sorted(by_file.get(path.resolve(), [])))
        for path in paths
        if sorted(by_file.get(path.resolve(), [])) != _expected_ids(path)
    }
    assert not mismatches, mismatches


def test_corpus_valid_templates_produce_no_error(corpus) -> None:  # noqa: ANN001
    paths, _, diagnostics = corpus
    valid = {p.resolve() for p in paths if _expected_ids(p) == []}
    assert not [d.render() for d in diagnostics if Path(d.path).resolve() in valid]


def test_corpus_diagnostics_carry_the_severity_of_the_rule(corpus) -> None:  # noqa: ANN001
    _, _, diagnostics = corpus
    assert diagnostics
    for d in diagnostics:
        assert d.severity == RULES[d.code].default, d.render()
    assert Counter(d.severity for d in diagnostics).keys() == {"error", "warning"}


# ---------------------------------------------------------------- the shipped examples


def test_examples_pass_every_rule_without_warnings() -> None:
    loaded = _load_clean([EXAMPLES])
    assert loaded.files
    assert [d.render() for d in check_files(loaded.files)] == []
