"""Cached and uncached loads give the same templates and diagnostics — cold, warm, after a file
changes, a rule setting changes, waform's version changes, and when the cache is damaged."""

from __future__ import annotations

import gc
import json
import os
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import waform.loadcache
from waform.cli import cli
from waform.config import load_config
from waform.loadcache import DATABASE, cache_dir
from waform.manager import Manager

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).parent.parent / "examples" / "templates"

BROKEN = """\
name: broken_one
category: UTILITY
languages:
  EN_US:
    details:
      components:
        - type: BODY
          txt: "misspelt key"
"""
MISNAMED = """\
name: not_the_file_name
category: MARKETING
languages:
  DE:
    details:
      components:
        - type: BODY
          text: "Hallo {{1}}, neue Angebote sind da."
          examples: ["Anna"]
"""
#: Silences a rule that fires (listed as silenced, with the reason).
SILENCED = """\
# waform: ignore WA-V7 approved by Meta on 2026-03-02
name: silenced_note
category: UTILITY
languages:
  en_US:
    details:
      components:
        - type: BODY
          text: "{{1}}, your parcel is waiting at the Main Street store for you."
          examples: ["Anna"]
"""
#: One language with a schema error, one valid with a rule finding: the rules see the valid part.
PARTIAL = """\
name: partial_note
category: UTILITY
languages:
  en_US:
    details:
      components:
        - type: BODY
          text: "{{1}}, your order is ready for pickup at our Main Street store today."
          examples: ["Anna"]
  de:
    details:
      messageSendTtlSeconds: 5
      components:
        - type: BODY
          text: "Ihre Bestellung liegt zur Abholung in unserem Geschäft bereit."
"""


def write_templates(templates: Path) -> Path:
    """Templates with rule findings, loader errors and warnings, and a duplicate across files."""
    shutil.copytree(FIXTURES / "rules" / "corpus", templates / "corpus")
    shutil.copytree(EXAMPLES, templates / "examples")
    (templates / "broken_one.yaml").write_text(BROKEN)
    (templates / "misnamed.yaml").write_text(MISNAMED)
    (templates / "silenced_note.yaml").write_text(SILENCED)
    (templates / "partial_note.yaml").write_text(PARTIAL)
    # Defined twice: the loader's check across files reports the second one.
    shutil.copy(EXAMPLES / "order_shipped.yaml", templates / "order_shipped.yaml")
    return templates


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    write_templates(tmp_path / "templates")
    (tmp_path / "waform.yaml").write_text("rules: {WA-V9: warning}\n")
    return tmp_path


def validate(root: Path, *, cache: bool, strict: bool = False) -> Any:
    manager = Manager(load_config(None, root), offline=True, use_cache=cache)
    return manager.validate([root / "templates"], strict=strict)


def snapshot(state: Any) -> tuple:
    """Everything a command reads from a load, templates compared field by field and as sent."""
    return (
        state.diagnostics,
        state.silenced,
        state.files_read,
        state.template_count,
        [(t, t.source, t.details.to_wire()) for t in state.templates],
        [(f.path, f.template, f.text, f.desired) for f in state.files],
    )


def database(root: Path) -> Path:
    return cache_dir(root) / DATABASE


def test_cold_warm_and_uncached_loads_are_identical(repo: Path) -> None:
    uncached = snapshot(validate(repo, cache=False))
    assert not database(repo).exists(), "--no-cache writes nothing"
    assert uncached[0] and any(d.code == "duplicate-template" for d in uncached[0])
    assert any(d.code.startswith("WA-") for d in uncached[0]), "rule findings are part of it"
    assert [s.diagnostic.code for s in uncached[1]] == ["WA-V7"], "and silenced ones"
    partial = [d.code for d in uncached[0] if d.path.endswith("partial_note.yaml")]
    assert "schema" in partial and "WA-V7" in partial, "the valid part of a broken file is checked"

    cold = validate(repo, cache=True)
    assert snapshot(cold) == uncached
    assert (cache_dir(repo) / ".gitignore").read_text().splitlines()[-1] == "*"

    warm = validate(repo, cache=True)  # the run's entry: templates decoded only when asked for
    assert warm.diagnostics == uncached[0] and warm._templates is None
    # The names, where the fetch splits the name space, come from the run's entry too.
    assert warm.names == sorted(t.name for t in cold.templates) and warm._templates is None
    assert snapshot(warm) == uncached

    with sqlite3.connect(database(repo)) as db:  # only the per-file entries left
        db.execute("DELETE FROM entries WHERE key LIKE 'r%'")
    assert snapshot(validate(repo, cache=True)) == uncached


def test_a_changed_file_is_loaded_again(repo: Path) -> None:
    validate(repo, cache=True)
    target = repo / "templates" / "examples" / "order_shipped.yaml"
    target.write_text(target.read_text().replace("has shipped", "is on its way"))
    changed = snapshot(validate(repo, cache=True))
    assert changed == snapshot(validate(repo, cache=False))
    texts = [json.dumps(t[2]) for t in changed[4] if t[0].name == "order_shipped"]
    assert any("is on its way" in text for text in texts)


def test_a_changed_rule_setting_is_not_answered_from_the_cache(repo: Path) -> None:
    before = validate(repo, cache=True).diagnostics
    (repo / "waform.yaml").write_text("rules: {WA-V9: error}\n")
    after = validate(repo, cache=True).diagnostics
    assert after == validate(repo, cache=False).diagnostics
    assert after != before
    strict = validate(repo, cache=True, strict=True)
    assert snapshot(strict) == snapshot(validate(repo, cache=False, strict=True))
    assert all(d.severity == "error" for d in strict.diagnostics)


def tamper(root: Path) -> None:
    """Rewrite every stored template (validly) so that a stored entry shows when it is used."""
    with sqlite3.connect(database(root)) as db:
        rows = db.execute("SELECT key, value FROM entries").fetchall()
        for key, value in rows:
            db.execute(
                "UPDATE entries SET value = ? WHERE key = ?",
                (bytes(value).replace(b"Order {{1}}", b"ORDER {{1}}"), key),
            )
        db.execute("DELETE FROM entries WHERE key LIKE 'r%'")


def shipped_texts(state: Any) -> str:
    return json.dumps([t.details.to_wire() for t in state.templates if t.name == "order_shipped"])


def test_another_waform_version_does_not_use_the_entries(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uncached = snapshot(validate(repo, cache=False))
    validate(repo, cache=True)
    tamper(repo)
    # The tampered entries are what this version reads (the check below can fail) …
    assert "ORDER {{1}}" in shipped_texts(validate(repo, cache=True))
    # … and what another version never reads.
    monkeypatch.setattr(waform.loadcache, "__version__", "999.0")
    other = validate(repo, cache=True)
    assert "ORDER {{1}}" not in shipped_texts(other)
    assert snapshot(other) == uncached


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda path: path.write_bytes(b"not a database" * 100), id="garbage file"),
        pytest.param(lambda path: path.write_bytes(path.read_bytes()[:3000]), id="truncated"),
        pytest.param(
            lambda path: _execute(path, "UPDATE entries SET value = substr(value, 1, 40)"),
            id="cut values",
        ),
        pytest.param(
            lambda path: _execute(path, INVALIDATE_CATEGORIES),
            id="values that do not validate",
        ),
        pytest.param(
            lambda path: (path.unlink(), _execute(path, "CREATE TABLE notes (x)")),
            id="foreign database",
        ),
    ],
)
def test_a_damaged_cache_is_ignored_and_rewritten(repo: Path, damage: Any) -> None:
    uncached = snapshot(validate(repo, cache=False))
    validate(repo, cache=True)
    damage(database(repo))
    assert snapshot(validate(repo, cache=True)) == uncached
    # Rewritten: the next run is answered from sound entries, identically.
    with sqlite3.connect(database(repo)) as db:
        assert db.execute("SELECT count(*) FROM entries").fetchone()[0] > len(uncached[5])
    assert snapshot(validate(repo, cache=True)) == uncached


INVALIDATE_CATEGORIES = (
    """UPDATE entries SET value = replace(value, '"category":"UTILITY"', '"category":1')"""
)


def _execute(path: Path, sql: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute(sql)


def test_validate_command_output_is_the_same_cached_and_not(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    monkeypatch.delenv("WAFORM_CACHE_DIR")  # the default: beside waform.yaml
    runner = CliRunner()
    uncached = runner.invoke(cli, ["validate", "templates", "--no-cache", "--format", "json"])
    assert not database(repo).exists()
    cold = runner.invoke(cli, ["validate", "templates", "--format", "json"])
    warm = runner.invoke(cli, ["validate", "templates", "--format", "json"])
    assert uncached.exit_code == cold.exit_code == warm.exit_code == 1
    assert uncached.stdout == cold.stdout == warm.stdout
    report = json.loads(warm.stdout)
    assert report["diagnostics"] and report["templates"] == len(
        validate(repo, cache=False).templates
    )
    assert (repo / ".waform" / "cache" / DATABASE).exists()


def test_entries_unused_for_a_month_are_dropped_when_the_cache_is_next_written(repo: Path) -> None:
    validate(repo, cache=True)
    gone = repo / "templates" / "misnamed.yaml"
    gone.unlink()
    validate(repo, cache=True)  # the removed file's entry stays, unused
    with sqlite3.connect(database(repo)) as db:
        db.execute("UPDATE entries SET used = used - 40 * 86400")
        before = {key for (key,) in db.execute("SELECT key FROM entries")}
    validate(repo, cache=True)  # answered by the run's entry: it only marks what it used
    with sqlite3.connect(database(repo)) as db:
        assert {key for (key,) in db.execute("SELECT key FROM entries")} == before
    target = repo / "templates" / "examples" / "order_shipped.yaml"
    target.write_text(target.read_text().replace("has left our warehouse", "is with the courier"))
    changed = validate(repo, cache=True)  # new entries: the month-old unused ones go
    with sqlite3.connect(database(repo)) as db:
        after = {key for (key,) in db.execute("SELECT key FROM entries")}
        recent = db.execute("SELECT count(*) FROM entries WHERE used > ?", (time.time() - 60,))
        assert recent.fetchone()[0] == len(after)
    # One per file, this run's and the one the read-only run used; gone: the removed file's,
    # the changed file's old one and the first run's.
    assert sorted(key[0] for key in after) == ["f"] * changed.files_read + ["r", "r"]
    assert sorted(key[0] for key in before - after) == ["f", "f", "r"]
    assert snapshot(validate(repo, cache=True)) == snapshot(validate(repo, cache=False))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="lists open files on Linux")
def test_a_warm_loads_templates_leave_no_connection_open(repo: Path) -> None:
    """Decoded when first asked for, after the load closed its cache: the connection reopened
    for them is closed again (left open, only a full collection would close it)."""
    validate(repo, cache=True)
    warm = validate(repo, cache=True)
    assert not warm.decoded
    enabled = gc.isenabled()
    gc.disable()
    try:
        assert warm.templates
        fds = Path("/proc/self/fd")
        opened = {os.readlink(fds / fd) for fd in os.listdir(fds) if (fds / fd).is_symlink()}
        assert str(database(repo)) not in opened
    finally:
        if enabled:
            gc.enable()
