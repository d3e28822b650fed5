"""Directory walks, checks across files, and file-name warnings (load_paths and the CLI)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from waform.cli import cli
from waform.errors import WaformError
from waform.loader import find_template_files, load_paths

BODY = """\
name: {name}
category: {category}
languages:
  {language}:
    details:
      components:
        - type: BODY
          text: "Hi {{{{1}}}}, your order {{{{2}}}} is ready for pickup at our Main Street store today."
          examples: ["Anna", "A-1042"]
"""


def template(name: str, *, category: str = "UTILITY", language: str = "en_US") -> str:
    return BODY.format(name=name, category=category, language=language)


def put(root: Path, relative: str, content: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def test_walk_is_sorted_recursive_and_skips_hidden_and_config(tmp_path: Path) -> None:
    put(tmp_path, "bravo.yaml", template("bravo"))
    put(tmp_path, "alpha.yml", template("alpha"))
    put(tmp_path, "sub/charlie.yaml", template("charlie"))
    put(tmp_path, "sub/deeper/delta.yaml", template("delta"))
    put(tmp_path, ".git/x.yaml", "not: a template")
    put(tmp_path, "sub/.hidden/y.yaml", "not: a template")
    put(tmp_path, ".z.yaml", "not: a template")
    put(tmp_path, "waform.yaml", "prune: false\n")  # the configuration, not a template
    put(tmp_path, "notes.txt", "not yaml")
    put(tmp_path, "README.md", "# hi")
    root = str(tmp_path)
    assert find_template_files([tmp_path]) == [
        os.path.join(root, "alpha.yml"),
        os.path.join(root, "bravo.yaml"),
        os.path.join(root, "sub", "charlie.yaml"),
        os.path.join(root, "sub", "deeper", "delta.yaml"),
    ]
    result = load_paths([tmp_path])
    assert result.ok and result.diagnostics == [] and result.files_read == 4
    assert [t.name for t in result.templates] == ["alpha", "bravo", "charlie", "delta"]


def test_paths_keep_their_order_and_each_file_is_read_once(tmp_path: Path) -> None:
    second = put(tmp_path, "z/second.yaml", template("second"))
    put(tmp_path, "a/first.yaml", template("first"))
    files = find_template_files([second, tmp_path / "a", tmp_path])
    assert [Path(f).name for f in files] == ["second.yaml", "first.yaml"]


def test_an_explicit_file_is_read_whatever_its_name_but_waform_yaml(tmp_path: Path) -> None:
    path = put(tmp_path, "template.txt", template("template"))
    config = put(tmp_path, "waform.yaml", "rules: {}\n")
    result = load_paths([path, config])
    assert result.ok and [t.name for t in result.templates] == ["template"]
    with pytest.raises(WaformError, match="no template files"):
        load_paths([config])


def test_missing_path_is_one_error(tmp_path: Path) -> None:
    with pytest.raises(WaformError, match=r"nope: no such file or directory$"):
        load_paths([tmp_path, tmp_path / "nope"])
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert result.output == f"error: {tmp_path / 'nope'}: no such file or directory\n"


def test_no_template_files_is_an_error_not_an_empty_state(tmp_path: Path) -> None:
    put(tmp_path, "waform.yaml", "prune: false\n")  # the configuration, not a template
    put(tmp_path, ".hidden/a.yaml", template("a"))
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == f"error: no template files (*.yaml, *.yml) found in {tmp_path}\n"


def test_same_name_and_language_in_two_files_names_both(tmp_path: Path) -> None:
    put(tmp_path, "a/order_ready.yaml", template("order_ready", language="en_US"))
    copy = put(tmp_path, "b/order_ready.yaml", template("order_ready", language="EN_US"))
    result = load_paths([tmp_path])
    assert not result.ok
    first = tmp_path / "a" / "order_ready.yaml"
    assert [d.render() for d in result.diagnostics] == [
        f"{copy}:4:3: template 'order_ready' language EN_US is defined twice: at {first}:4:3 "
        f"and here ({copy}:4:3) [duplicate-template]"
    ]
    assert len(result.templates) == 1 and str(result.templates[0].source) == f"{first}:4:3"


def test_one_name_split_over_files_must_share_the_category(tmp_path: Path) -> None:
    put(tmp_path, "a/order_ready.yaml", template("order_ready", language="en_US"))
    put(tmp_path, "b/order_ready.yaml", template("order_ready", language="DE"))
    assert load_paths([tmp_path]).ok
    other = put(
        tmp_path, "b/order_ready.yaml", template("order_ready", category="MARKETING", language="DE")
    )
    result = load_paths([tmp_path])
    first = tmp_path / "a" / "order_ready.yaml"
    assert [d.render() for d in result.diagnostics] == [
        f"{other}:2:11: template 'order_ready' has category MARKETING here but UTILITY at "
        f"{first}:2:11; all languages of a template share one category [duplicate-template]"
    ]


def test_one_name_over_several_files_keeps_the_first_of_each_language(tmp_path: Path) -> None:
    """A name met a third and a fourth time is checked against every earlier file of it."""
    put(tmp_path, "a/order_ready.yaml", template("order_ready", language="en_US"))
    put(tmp_path, "b/order_ready.yaml", template("order_ready", language="DE"))
    put(tmp_path, "b/other.yaml", template("other"))
    third = put(tmp_path, "c/order_ready.yaml", template("order_ready", language="DE"))
    fourth = put(tmp_path, "d/order_ready.yaml", template("order_ready", language="FR"))
    result = load_paths([tmp_path])
    second = tmp_path / "b" / "order_ready.yaml"
    assert [d.render() for d in result.diagnostics] == [
        f"{third}:4:3: template 'order_ready' language DE is defined twice: at {second}:4:3 "
        f"and here ({third}:4:3) [duplicate-template]"
    ]
    assert [(t.name, t.language, str(t.source)) for t in result.templates] == [
        ("order_ready", "EN_US", f"{tmp_path / 'a' / 'order_ready.yaml'}:4:3"),
        ("order_ready", "DE", f"{second}:4:3"),
        ("other", "EN_US", f"{tmp_path / 'b' / 'other.yaml'}:4:3"),
        ("order_ready", "FR", f"{fourth}:4:3"),
    ]


def test_file_name_must_match_the_template_name_as_a_warning(tmp_path: Path) -> None:
    path = put(tmp_path, "order.yaml", template("order_ready"))
    result = load_paths([path])
    assert result.ok and len(result.files) == 1
    assert [d.render() for d in result.diagnostics] == [
        f"{path}:1:7: warning: file name 'order.yaml' does not match the template name "
        "'order_ready' (expected order_ready.yaml) [file-name]"
    ]
    relaxed = CliRunner().invoke(cli, ["validate", str(path)])
    assert relaxed.exit_code == 0, relaxed.output
    assert "[file-name]" in relaxed.stdout
    assert "1 template-language in 1 file: 1 warning" in relaxed.stderr
    strict = CliRunner().invoke(cli, ["validate", "--strict", str(path)])
    assert strict.exit_code == 1
    assert f"{path}:1:7: file name 'order.yaml'" in strict.stdout  # reported as an error


def test_yml_extension_matches_too(tmp_path: Path) -> None:
    path = put(tmp_path, "order_ready.yml", template("order_ready"))
    assert load_paths([path]).diagnostics == []


def test_unreadable_entries_are_one_line_each(tmp_path: Path) -> None:
    put(tmp_path, "order_ready.yaml", template("order_ready"))
    os.symlink(tmp_path / "gone.yaml", tmp_path / "dangling.yaml")
    os.mkfifo(tmp_path / "pipe.yaml")  # opening it for reading would block forever
    result = load_paths([tmp_path])
    assert [d.render() for d in result.diagnostics] == [
        f"{tmp_path / 'dangling.yaml'}:1:1: cannot read file: broken symbolic link to "
        f"{tmp_path / 'gone.yaml'} [io]",
        f"{tmp_path / 'pipe.yaml'}:1:1: not a regular file [io]",
    ]
    assert [t.name for t in result.templates] == ["order_ready"]
