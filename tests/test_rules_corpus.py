"""`waform validate` over real templates Meta approved and rejected (``tests/corpus/``).

Prints the confusion matrix (run with ``-s`` to see it). Fails when an approved template gets an
error, when a rejection whose evidence is documented (``grade: documented``) is not refused under
the rule id its entry expects, or when a rejection with weaker evidence (conflicting, WhatsApp
Manager only, third parties) gets not even a warning under it. ``tests/corpus/index.yaml`` says
where each file comes from and grades its evidence; each grade must agree with the catalogue.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from waform.cli import cli
from waform.rules.registry import RULES

CORPUS = Path(__file__).resolve().parent / "corpus"
#: ``grade`` of a rejected entry → the evidence tokens of its rule's status that earn it.
GRADES = {
    "documented": {"DOC", "API"},
    "conflicting": {"CONFLICT"},
    "ui": {"UI"},
    "third-party": {"3P", "UNCONFIRMED"},
}


@pytest.fixture(scope="module")
def index() -> dict:
    return YAML(typ="safe").load((CORPUS / "index.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def findings() -> dict[str, list[tuple[str, str]]]:
    """Relative file path → [(rule id, severity)], from one `waform validate` run."""
    paths = [str(CORPUS / "approved"), str(CORPUS / "rejected")]
    result = CliRunner().invoke(cli, ["validate", "--format", "json", *paths])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    by_file: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for diagnostic in report["diagnostics"]:
        relative = Path(diagnostic["path"]).resolve().relative_to(CORPUS).as_posix()
        by_file[relative].append((diagnostic["code"], diagnostic["severity"]))
    return by_file


def _languages(relative: str) -> int:
    data = YAML(typ="safe").load((CORPUS / relative).read_text(encoding="utf-8"))
    return len(data.get("languages") or {})


def _approved_outcome(entry: dict, found: list[tuple[str, str]]) -> str:
    if any(severity == "error" for _, severity in found):
        return "refused"
    return "passed with warnings" if found else "passed clean"


def _rejected_outcome(entry: dict, found: list[tuple[str, str]]) -> str:
    severities = {severity for code, severity in found if code == entry["expect"]}
    if "error" in severities:
        return "refused (expected rule)"
    if severities:
        return "warned (expected rule)"
    if any(severity == "error" for _, severity in found):
        return "refused by another rule only"
    return "passed"


def matrix(index: dict, findings: dict) -> tuple[Counter, Counter, str]:
    approved = Counter(_approved_outcome(e, findings.get(e["file"], [])) for e in index["approved"])
    rejected = Counter(
        (e["grade"] == "documented", _rejected_outcome(e, findings.get(e["file"], [])))
        for e in index["rejected"]
    )
    languages = sum(_languages(e["file"]) for e in index["approved"])
    lines = [
        f"corpus: {len(index['approved'])} approved files ({languages} template-languages), "
        f"{len(index['rejected'])} rejected files",
        "approved by Meta:",
        *(f"  {outcome:<32} {count:>3}" for outcome, count in sorted(approved.items())),
    ]
    for documented, head in (
        (True, "rejected by Meta, documented (must be refused):"),
        (False, "rejected by Meta, conflicting / UI / third-party evidence (must be warned):"),
    ):
        lines.append(head)
        lines += [
            f"  {outcome:<32} {count:>3}"
            for (kind, outcome), count in sorted(rejected.items())
            if kind == documented
        ]
    return approved, rejected, "\n".join(lines)


def test_corpus_confusion_matrix(index: dict, findings: dict) -> None:
    _approved, _rejected, shown = matrix(index, findings)
    print("\n" + shown)
    refused = [
        (e["file"], findings.get(e["file"]))
        for e in index["approved"]
        if _approved_outcome(e, findings.get(e["file"], [])) == "refused"
    ]
    assert not refused, refused
    missed = [
        (e["file"], e["grade"], e["expect"], findings.get(e["file"]))
        for e in index["rejected"]
        if _rejected_outcome(e, findings.get(e["file"], []))
        not in (
            ("refused (expected rule)",)
            if e["grade"] == "documented"
            else ("refused (expected rule)", "warned (expected rule)")
        )
    ]
    assert not missed, missed


def test_each_grade_agrees_with_the_rule_s_evidence(index: dict) -> None:
    """A rejection graded below ``documented`` rests on a rule whose evidence is that weak (so
    the rule warns); a documented one on a rule that is an error by default."""
    wrong = []
    for entry in index["rejected"]:
        grade, expect = entry["grade"], entry["expect"]
        assert grade in GRADES, entry
        if expect == "schema":  # the model itself refuses it: Sinch's documented input DTOs
            if grade != "documented":
                wrong.append((entry["file"], grade, "schema"))
            continue
        rule = RULES[expect]
        tokens = set(rule.status.replace("+", "/").split("/"))
        agrees = (rule.default == "error") == (grade == "documented") and (
            grade == "documented" or bool(tokens & GRADES[grade])
        )
        if not agrees:
            wrong.append((entry["file"], grade, expect, rule.status, rule.default))
        if grade != "documented":
            assert entry.get("grade_note"), entry
    assert not wrong, wrong


def test_corpus_is_large_and_fully_documented(index: dict) -> None:
    listed = {e["file"] for e in index["approved"] + index["rejected"]}
    on_disk = {p.relative_to(CORPUS).as_posix() for p in CORPUS.glob("*/*.yaml")}
    assert listed == on_disk
    assert sum(_languages(e["file"]) for e in index["approved"]) >= 60
    assert len(index["rejected"]) >= 30
    for entry in index["approved"] + index["rejected"]:
        assert entry["source"].startswith("https://"), entry
        assert entry["evidence"], entry
    for entry in index["rejected"]:
        assert entry["reason"] and entry["expect"], entry
