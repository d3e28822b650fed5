"""The import YAML writer: repository format, stable text, atomic writes, no overwrite by default."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml as pyyaml
from pydantic import ValidationError

from waform.errors import WaformError
from waform.import_yaml import dump_document, schema_reference
from waform.importer import (
    ImportConflictError,
    ImportedFile,
    build_import,
    name_matches,
    write_files,
)
from waform.model.remote import RemoteTemplate
from waform.model.template import TemplateFile


def _remote(name: str, language: str, **kw: object) -> RemoteTemplate:
    base: dict[str, object] = {
        "name": name,
        "language": language,
        "category": "UTILITY",
        "state": "APPROVED",
        "details": {"components": [{"type": "BODY", "text": f"{name} in {language}"}]},
    }
    base.update(kw)
    return RemoteTemplate.model_validate(base)


def test_document_shape_key_order_and_header(tmp_path: Path) -> None:
    remote = [
        _remote(
            "order_update",
            "EN_US",
            details={
                "components": [
                    {"type": "BODY", "text": "Line one {{1}}\nLine two", "examples": ["yes"]},
                    {"type": "HEADER", "format": "TEXT", "text": "Hi", "examples": ["x"]},
                    {
                        "type": "BUTTONS",
                        "buttons": [{"type": "COPY_CODE", "text": "Copy", "example": "C1"}],
                    },
                ],
                "messageSendTtlSeconds": 2592000.0,
            },
        ),
        _remote(
            "order_update",
            "DE",
            state=None,
            details=None,
            changes={
                "status": "DRAFT",
                "details": {"components": [{"type": "BODY", "text": "Hallo"}]},
            },
        ),
    ]
    result = build_import(remote, tmp_path, schema_ref="../schemas/template.schema.json")
    assert [f.name for f in result.files] == ["order_update"]
    text = result.files[0].text
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../schemas/template.schema.json"
    # top-level key order, languages sorted, reconciler keys only where non-default
    lines = [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    assert lines == ["name: order_update", "category: UTILITY", "languages:"]
    assert "  DE:\n    status: draft\n    details:" in text
    assert "  EN_US:\n    details:" in text
    # literal block for multi-line text; YAML-1.1 booleans quoted; response-only label dropped;
    # default TTL left out; header first (canonical order)
    assert "text: |-\n            Line one {{1}}\n            Line two\n" in text
    assert "- 'yes'" in text
    assert "Copy" not in text and "messageSendTtlSeconds" not in text
    en = text[text.index("EN_US:") :]
    assert en.index("format: TEXT") < en.index("type: BODY")
    # PyYAML (YAML 1.1) reads the same data as our loader's models
    data = pyyaml.safe_load(text)
    assert data["languages"]["EN_US"]["details"]["components"][1]["examples"] == ["yes"]
    TemplateFile.model_validate(data)


def test_output_is_deterministic(tmp_path: Path) -> None:
    remote = [_remote("b_name", "FR"), _remote("a_name", "EN"), _remote("b_name", "DE")]
    first = build_import(remote, tmp_path)
    second = build_import(list(reversed(remote)), tmp_path)
    assert [(f.path, f.text) for f in first.files] == [(f.path, f.text) for f in second.files]
    assert [f.name for f in first.files] == ["a_name", "b_name"]
    assert first.files[1].languages == ("DE", "FR")


def test_selection_prefix_glob_language_and_meta_generated(tmp_path: Path) -> None:
    remote = [
        _remote("order_new", "EN"),
        _remote("order_old", "DE"),
        _remote("promo_x", "EN"),
        _remote("meta_auth", "EN", isMetaGenerated=True),
    ]
    assert [f.name for f in build_import(remote, tmp_path, patterns=["order_"]).files] == [
        "order_new",
        "order_old",
    ]
    assert [f.name for f in build_import(remote, tmp_path, patterns=["*_x"]).files] == ["promo_x"]
    assert [f.name for f in build_import(remote, tmp_path, languages=["DE"]).files] == ["order_old"]
    result = build_import(remote, tmp_path)
    assert "meta_auth" not in [f.name for f in result.files]
    assert any(n.name == "meta_auth" and "Meta" in n.message for n in result.notes)
    assert name_matches("order_new", "order") and not name_matches("xorder", "order")


def test_unreadable_content_is_skipped_with_a_note(tmp_path: Path) -> None:
    bad = _remote(
        "weird",
        "EN",
        details={"components": [{"type": "BODY", "text": "x"}, {"type": "SOMETHING_NEW"}]},
    )
    result = build_import([bad, _remote("fine", "EN")], tmp_path)
    assert [f.name for f in result.files] == ["fine"]
    assert any(n.name == "weird" and "not readable" in n.message for n in result.notes)


def test_rejected_is_imported_as_draft_with_a_note(tmp_path: Path) -> None:
    rejected = _remote("no_go", "EN", state="REJECTED", rejectionCode="INVALID_FORMAT")
    result = build_import([rejected], tmp_path)
    assert "status: draft" in result.files[0].text
    assert any("INVALID_FORMAT" in n.message for n in result.notes)


def test_dump_refuses_a_document_that_is_not_a_template() -> None:
    with pytest.raises(ValidationError, match="languages"):
        dump_document({"name": "x", "category": "UTILITY", "languages": {}}, None)


def test_write_refuses_existing_files_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text("mine\n")
    files = [
        ImportedFile("a", tmp_path / "a.yaml", "a: 1\n", ("EN",)),
        ImportedFile("b", tmp_path / "b.yaml", "b: 1\n", ("EN",)),
    ]
    with pytest.raises(ImportConflictError, match="b.yaml.*--force"):
        write_files(files)
    assert not (tmp_path / "a.yaml").exists()
    assert (tmp_path / "b.yaml").read_text() == "mine\n"
    assert write_files(files, force=True) == [tmp_path / "a.yaml", tmp_path / "b.yaml"]
    assert (tmp_path / "b.yaml").read_text() == "b: 1\n"
    assert sorted(os.listdir(tmp_path)) == ["a.yaml", "b.yaml"]  # no temporary files left


def test_failed_write_removes_files_it_created(tmp_path: Path) -> None:
    blocker = tmp_path / "sub"
    blocker.write_text("a file where a directory is needed\n")
    files = [
        ImportedFile("a", tmp_path / "a.yaml", "a: 1\n", ("EN",)),
        ImportedFile("b", blocker / "b.yaml", "b: 1\n", ("EN",)),
    ]
    with pytest.raises(WaformError, match="cannot write"):
        write_files(files)
    assert sorted(os.listdir(tmp_path)) == ["sub"]


def test_schema_reference_is_relative_to_the_nearest_schema(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "template.schema.json").write_text("{}")
    out = tmp_path / "templates" / "team"
    out.mkdir(parents=True)
    assert schema_reference(out) == "../../schemas/template.schema.json"
    assert schema_reference(out, "https://example.com/s.json") == "https://example.com/s.json"
    assert schema_reference(Path("/")) is None
