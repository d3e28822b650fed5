"""`waform import` filters — a mistyped language is an error, not an empty import."""

from __future__ import annotations

from pathlib import Path

import pytest

from one_template_project import local_project, run
from waform.emulator import EmulatorControl

BODY = {
    "components": [
        {"type": "BODY", "text": "Hello {{1}}, your order is ready for pickup.", "examples": ["A"]}
    ]
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The default ``local`` target with one approved template in two languages."""
    local_project(tmp_path, monkeypatch, template=False)
    with EmulatorControl.in_process(tmp_path / ".waform" / "emulator.sqlite3") as control:
        for language in ("EN_US", "PT_BR"):
            control.add_template("local", "pickup_ready", language, "UTILITY", BODY)
    return tmp_path


def test_an_unknown_language_is_a_usage_error_with_a_suggestion(project: Path) -> None:
    code, out, err = run("import", "out", "--language", "pt_BX")
    assert code == 1 and out == "" and "Traceback" not in err
    assert "--language" in err and "'pt_BX'" in err and "PT_BR" in err
    assert not (project / "out").exists()


def test_either_spelling_of_a_known_language_imports_it(project: Path) -> None:
    code, out, err = run("import", "out", "--language", "pt-br")
    assert code == 0, err
    assert out.strip() == "out/pickup_ready.yaml  (PT_BR)"
    text = (project / "out" / "pickup_ready.yaml").read_text()
    assert "PT_BR:" in text and "EN_US" not in text
