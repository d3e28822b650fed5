"""A warm plan reads what it needs of the templates from the load cache's entry for its run
(``waform.stored_forms``): the same templates, hash and plan as from the files; an entry that is
damaged or does not validate is never used, and is written anew."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import random
import re
import shutil
import sqlite3
import sys
import threading
import time
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from one_template_project import local_project, one_error_line, run
from test_elsewhere import WAYS
from test_loadcache_identity import EXAMPLES
from waform import stored_forms, submissions
from waform.config import load_config
from waform.desired_forms import hash_desired
from waform.loadcache import DATABASE, Keys, LoadCache, cache_dir
from waform.manager import Manager
from waform.model.template import DesiredTemplate
from waform.outcomes import Writes
from waform.stored_forms import StoredTemplate


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    local_project(tmp_path, monkeypatch, template=False)
    monkeypatch.delenv("WAFORM_CACHE_DIR")  # the default: beside waform.yaml
    shutil.copytree(EXAMPLES, tmp_path / "templates")
    return tmp_path


def _loaded(root: Path) -> list[DesiredTemplate]:
    manager = Manager(load_config(None, root), offline=True, use_cache=False)
    return manager.validate([root / "templates"]).templates


def _fields(template: DesiredTemplate) -> list[object]:
    return [getattr(template, f.name) for f in dataclasses.fields(DesiredTemplate)]


def test_stored_forms_are_the_templates_as_loaded(project: Path) -> None:
    templates = _loaded(project)
    stored = stored_forms.decode(stored_forms.encode(templates))
    assert stored is not None
    assert stored.forms.desired_hash == hash_desired(templates)
    write_only = {t.key for t in templates if submissions.of(t.details, t.category)}
    assert stored.write_only == write_only and write_only, "the examples hold media samples"
    assert len(stored.templates) == len(templates) > 10
    for original, read in zip(templates, stored.templates, strict=True):
        assert isinstance(read, StoredTemplate) and "details" not in vars(read)
        assert stored.forms.wires[read.key] == original.details.to_wire()
        texts = [read.text_of(kind) for kind in ("BODY", "FOOTER")]  # from the wire form
        assert texts == [original.text_of(kind) for kind in ("BODY", "FOOTER")]
        assert _fields(read) == _fields(original)  # the model, validated from the wire form
        assert read.create_body() == original.create_body()
        assert dataclasses.replace(read, category="MARKETING").details == original.details


def _plan_json(*options: str) -> str:
    code, out, err = run("plan", "templates", "--json", *options)
    assert code == 0, err
    return re.sub(r'"createdAt": "[^"]*"', '"createdAt": ""', out)


def _forms_entry(root: Path) -> tuple[str, bytes]:
    with sqlite3.connect(cache_dir(root) / DATABASE) as db:
        [(key, value)] = db.execute("SELECT key, value FROM entries WHERE key LIKE 'p%'")
    return key, bytes(value)


def _store(root: Path, key: str, value: bytes) -> None:
    with sqlite3.connect(cache_dir(root) / DATABASE) as db:
        db.execute("UPDATE entries SET value = ? WHERE key = ?", (value, key))


def _resealed(value: bytes) -> bytes:
    """``value`` with its digest made anew (as someone shaping the cache would)."""
    body = value.split(b"\n", 1)[1]
    return hashlib.sha256(body).hexdigest().encode() + b"\n" + body


def test_a_warm_plan_reads_its_templates_from_the_stored_forms(project: Path) -> None:
    uncached = _plan_json("--no-cache")
    assert _plan_json() == uncached  # cold: the forms are stored beside the fetch
    key, value = _forms_entry(project)
    assert stored_forms.decode(value) is not None
    # Warm, byte for byte: every template is created, so each request body is written from
    # its stored wire form (canonical JSON: spring_sale's country multipliers came back in
    # another order).
    assert _plan_json() == uncached
    # A sound entry with other content (the check below can fail) is what a warm plan uses:
    # the request body is made from the stored wire form.
    assert value.count(b"has left our warehouse") == 1
    _store(
        project, key, _resealed(value.replace(b"has left our warehouse", b"is with the courier"))
    )
    warm = json.loads(_plan_json())
    bodies = [a["request"]["body"] for a in warm["actions"] if a["name"] == "order_shipped"]
    assert "is with the courier" in json.dumps(
        bodies
    ) and "has left our warehouse" not in json.dumps(bodies)
    assert warm["desiredHash"] != json.loads(uncached)["desiredHash"]


def _flip_a_byte(value: bytes) -> bytes:
    at = value.index(b"has left our warehouse")
    return value[:at] + b"H" + value[at + 1 :]


def _drop_last_line(value: bytes) -> bytes:
    return _resealed(value[: value.rstrip(b"\n").rindex(b"\n") + 1])


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(_flip_a_byte, id="a changed byte"),
        pytest.param(lambda value: value[: len(value) // 2], id="cut"),
        pytest.param(lambda value: b"not ours", id="garbage"),
        pytest.param(
            lambda value: _resealed(value.replace(b'"category":"UTILITY"', b'"category":1')),
            id="sealed, lines that do not validate",
        ),
        pytest.param(
            lambda value: _resealed(value.replace(b'"EN_US"]', b'"XX_YY"]')),
            id="sealed, an unknown language",
        ),
        pytest.param(_drop_last_line, id="sealed, a line missing"),
        pytest.param(lambda value: _resealed(value + b"[]\n"), id="sealed, a line too many"),
    ],
)
def test_damaged_stored_forms_are_ignored_and_rewritten(
    project: Path, damage: Callable[[bytes], bytes]
) -> None:
    uncached = _plan_json("--no-cache")
    _plan_json()
    key, value = _forms_entry(project)
    damaged = damage(value)
    assert damaged != value
    _store(project, key, damaged)
    assert stored_forms.decode(damaged) is None
    assert _plan_json() == uncached
    assert _forms_entry(project) == (key, value), "written anew by the plan that ignored it"


def test_a_sealed_template_that_does_not_validate_is_refused_with_a_way_out(project: Path) -> None:
    """Sealed, an entry was shaped on purpose: its wire forms are compared as JSON, and the
    model of one that is used beyond that does not validate: said, never half-used."""
    _plan_json()
    key, value = _forms_entry(project)
    _store(project, key, _resealed(value.replace(b'"type":"BODY"', b'"type":"BODI"')))
    code, out, err = run("plan", "templates", "--json")
    assert code == 1 and not out
    assert "does not validate" in one_error_line(err) and "--no-cache" in err
    assert _plan_json("--no-cache")


def test_a_run_entry_with_its_names_out_of_order_plans_as_uncached(project: Path) -> None:
    """The run entry's names guide the cut through the name space before the fetch, which
    needs them sorted; an entry someone shaped with them in another order still plans right
    (it once raised IndexError from the cut)."""
    uncached = _plan_json("--no-cache")
    _plan_json()
    with sqlite3.connect(cache_dir(project) / DATABASE) as db:
        [(key, value)] = db.execute("SELECT key, value FROM entries WHERE key LIKE 'r%'")
        entry = json.loads(value)
        names = ["aaba", "aa", "bbbb", "aab", "a", "b", "bbb", "aabb"] * 200  # two pages
        random.Random(16).shuffle(names)
        entry["names"] = names
        db.execute("UPDATE entries SET value = ? WHERE key = ?", (json.dumps(entry), key))
    # The same plan, after the parts that the names cut were found incomplete.
    assert _plan_json() == uncached.replace('"requests": 1', '"requests": 3')


def _fork_of_stored_forms() -> None:
    frames = []
    frame: types.FrameType | None = sys._getframe()
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back

    def stores_forms(frame: types.FrameType) -> bool:
        """A warm plan forks only to store them; a cold load, to store its entries and them."""
        where = frame.f_code.co_filename
        if frame.f_code.co_name != "store_elsewhere":
            return False
        return where.endswith("stored_forms.py") or (
            where.endswith("outcomes.py") and frame.f_locals.get("first") is not None
        )

    if any(stores_forms(f) for f in frames):
        loading = any(f.f_code.co_name == "load_desired" for f in frames)
        _FORMS_FORKED_FROM.append("the load" if loading else threading.current_thread().name)


_FORMS_FORKED_FROM: list[str] = []  # where each fork that stores a plan's forms came from
os.register_at_fork(before=_fork_of_stored_forms)


@pytest.mark.parametrize("cache", ["cold", "cold, with the HTML page", "warm, no stored forms"])
def test_the_stored_forms_are_written_by_a_process_forked_while_no_request_is_in_flight(
    project: Path, cache: str
) -> None:
    """A fork copies the mutexes other threads hold, and the embedded emulator answers the
    fetch on the event loop's thread, inside SQLite with the GIL released: forked from the
    decode thread mid-fetch, the child that stores the forms could wait on SQLite's allocator
    mutex until it is killed (``elsewhere.PATIENCE``, 120 s; seen in about one cold plan of ten
    at 10,000 templates). So a cold plan forks it during the load, before any request is sent
    (with or without the HTML page, which draws the templates the plan was made from), and a
    warm one on the event loop's thread after the fetch."""
    if cache.startswith("warm"):
        _plan_json()
        with sqlite3.connect(cache_dir(project) / DATABASE) as db:
            db.execute("DELETE FROM entries WHERE key LIKE 'p%'")
    _FORMS_FORKED_FROM.clear()
    html = ("--html", str(project / "plan.html")) if "--html" in cache else ()
    assert _plan_json(*html) == _plan_json("--no-cache")
    expected = "the load" if cache.startswith("cold") else threading.main_thread().name
    assert _FORMS_FORKED_FROM == [expected]
    assert stored_forms.decode(_forms_entry(project)[1]) is not None


def test_a_plan_refused_for_its_files_stores_their_entries_but_no_forms(project: Path) -> None:
    """The forms are for the plan that follows a valid load: an invalid one is refused before
    any request, so they are not worked out; the files' entries are stored all the same (the
    next run reads their diagnostics from the cache)."""
    broken = next((project / "templates").glob("*.yaml"))
    broken.write_text(broken.read_text() + "unknown_key: 1\n")
    code, out, err = run("plan", "templates", "--json")
    assert code == 1 and "unknown_key" in err
    with sqlite3.connect(cache_dir(project) / DATABASE) as db:
        kinds = {key[0] for (key,) in db.execute("SELECT key FROM entries")}
    assert "p" not in kinds and {"f", "r"} <= kinds


@pytest.mark.parametrize("fork", WAYS)
def test_the_hash_comes_back_before_the_forms_are_encoded_and_stored(
    project: Path, fork: bool
) -> None:
    """The plan waits for the hash and the write-only keys, not for the forms entry: that is
    encoded and stored after them, with the load's entries (here held until looked at)."""
    templates = _loaded(project)
    directory = cache_dir(project)
    released = project / "released"

    def held() -> bytes:
        deadline = time.monotonic() + 30
        while not released.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        return b"{}"

    writes = Writes({"f-held": held})
    begun = writes.store_elsewhere(
        directory, fork, functools.partial(stored_forms.store, templates, "r-run")
    )
    result = begun.result()
    write_only = {t.key for t in templates if submissions.of(t.details, t.category)}
    assert result == (hash_desired(templates), write_only) and write_only
    assert _stored_keys(directory) == set()  # the put waits for ``held``
    released.touch()
    begun.ended()
    assert _stored_keys(directory) == {"f-held", Keys.forms("r-run")}
    cache = LoadCache(directory)
    value = cache.get(Keys.forms("r-run"))
    cache.close()
    assert value is not None and (stored := stored_forms.decode(value)) is not None
    assert (stored.forms.desired_hash, stored.write_only) == result


def _stored_keys(directory: Path) -> set[str]:
    if not (directory / DATABASE).exists():
        return set()
    with sqlite3.connect(directory / DATABASE) as db:
        return {key for (key,) in db.execute("SELECT key FROM entries")}


def test_forms_that_cannot_be_stored_leave_the_plan_as_it_was(project: Path) -> None:
    """The forms are stored with the load's entries, in one transaction: refused (here by a
    trigger), nothing of the run is stored, and every plan is still the plan of the files."""
    uncached = _plan_json("--no-cache")
    _plan_json()
    with sqlite3.connect(cache_dir(project) / DATABASE) as db:
        db.execute("DELETE FROM entries")
        db.execute(
            "CREATE TRIGGER no_forms BEFORE INSERT ON entries WHEN NEW.key LIKE 'p%' "
            "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    for _run in range(2):  # cold each time: nothing was stored
        assert _plan_json() == uncached
        assert _stored_keys(cache_dir(project)) == set()
    with sqlite3.connect(cache_dir(project) / DATABASE) as db:
        db.execute("DROP TRIGGER no_forms")
    assert _plan_json() == uncached  # cold, stored
    assert _stored_keys(cache_dir(project)) and _plan_json() == uncached  # warm


@pytest.mark.parametrize("write_later", [False, True], ids=["stored at once", "stored beside"])
def test_a_cold_load_stores_the_forms_a_warm_plan_reads_and_tells_their_hash(
    project: Path, write_later: bool
) -> None:
    """Stored with the load's entries, at once or beside the caller: the hash and write-only
    keys the load tells are those of the files, and of the forms a warm plan reads back."""
    templates = _loaded(project)
    manager = Manager(load_config(None, project), offline=True)
    state = manager.load(
        [project / "templates"], write_later=write_later, beside=stored_forms.store
    )
    assert state.beside is not None
    told = state.beside()
    state.written()
    write_only = {t.key for t in templates if submissions.of(t.details, t.category)}
    assert told == (hash_desired(templates), write_only)
    warm = Manager(load_config(None, project), offline=True).load([project / "templates"])
    stored = stored_forms.read(warm)
    assert stored is not None and (stored.forms.desired_hash, stored.write_only) == told
    assert [t.key for t in stored.templates] == [t.key for t in templates]
