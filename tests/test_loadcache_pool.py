"""Loading in a process pool gives exactly what loading in this process gives: the same
templates with the same positions, the same diagnostics, in the same order."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from test_loadcache_identity import snapshot, write_templates
from waform.desired import load_desired
from waform.loadcache import LoadCache
from waform.rules import RuleSettings
from waform.workshare import can_fork


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """With two files that cannot be read (a helper that meets one leaves it to this process)."""
    templates = write_templates(tmp_path / "templates")
    (templates / "corpus" / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    os.mkfifo(templates / "examples" / "pipe.yaml")
    return templates


@pytest.mark.parametrize("strict", [False, True])
def test_pooled_and_sequential_loads_are_identical(templates: Path, strict: bool) -> None:
    assert can_fork(), "the pooled path is taken on this platform"
    settings = RuleSettings(overrides={"WA-V9": "error"}, strict=strict)
    sequential = snapshot(load_desired([templates], settings, workers=1))
    pooled = snapshot(load_desired([templates], settings, workers=2, pool_from=1))
    assert pooled == sequential
    assert sequential[0] and sequential[1] and sequential[4], "diagnostics, silenced, templates"
    assert {d.code for d in sequential[0]} >= {"io"}, "the unreadable files are reported"


def test_a_pooled_load_fills_the_cache_like_a_sequential_one(
    templates: Path, tmp_path: Path
) -> None:
    settings = RuleSettings()
    pooled_cache = LoadCache(tmp_path / "pooled")
    sequential_cache = LoadCache(tmp_path / "sequential")
    load_desired([templates], settings, cache=pooled_cache, workers=2, pool_from=1)
    load_desired([templates], settings, cache=sequential_cache, workers=1)
    keys = [
        row[0]
        for row in sequential_cache._connect().execute("SELECT key FROM entries ORDER BY key")
    ]
    assert pooled_cache.get_many(keys) == sequential_cache.get_many(keys)
    warm = load_desired([templates], settings, cache=pooled_cache, workers=1)
    assert warm._templates is None, "answered by the run's entry: the same run key"
    assert snapshot(warm) == snapshot(load_desired([templates], settings, workers=1))


def test_a_pooled_load_stored_beside_fills_the_cache_like_a_sequential_one(
    templates: Path, tmp_path: Path
) -> None:
    """``write_later`` (as ``plan`` loads): the entries are stored by a forked process, from
    keys made where each file was read (here or in a helper)."""
    settings = RuleSettings()
    later_cache = LoadCache(tmp_path / "later")
    sequential_cache = LoadCache(tmp_path / "sequential")
    state = load_desired(
        [templates], settings, cache=later_cache, workers=2, pool_from=1, write_later=True
    )
    state.written()
    load_desired([templates], settings, cache=sequential_cache, workers=1)
    assert _entries(later_cache) == _entries(sequential_cache)
    assert state.run_key == load_desired([templates], settings, cache=later_cache).run_key


def test_a_pooled_load_of_a_partly_stored_run_is_the_same_as_an_uncached_one(
    templates: Path, tmp_path: Path
) -> None:
    """Files read and keyed before the helpers start, half of them answered by the cache."""
    settings = RuleSettings(overrides={"WA-V9": "error"})
    cache = LoadCache(tmp_path / "cache")
    load_desired([templates], settings, cache=cache, workers=1)
    db = cache._connect()
    assert db is not None
    db.execute("DELETE FROM entries WHERE key NOT LIKE 'f%' OR rowid % 2 = 0")
    changed = templates / "examples" / "order_shipped.yaml"
    changed.write_text(changed.read_text().replace("shipped", "sent off", 1))
    (templates / "corpus" / "added.yaml").write_text(
        (templates / "silenced_note.yaml").read_text().replace("silenced_note", "added")
    )
    pooled = load_desired([templates], settings, cache=cache, workers=2, pool_from=1)
    assert snapshot(pooled) == snapshot(load_desired([templates], settings, workers=1))
    fresh = LoadCache(tmp_path / "fresh")
    load_desired([templates], settings, cache=fresh, workers=1)
    assert {key: value for key, value in _entries(cache).items() if key in _entries(fresh)} == (
        _entries(fresh)
    ), "what the pooled load stored is what a load from nothing stores"


def _entries(cache: LoadCache) -> dict[str, bytes]:
    db = cache._connect()
    assert db is not None
    return dict(db.execute("SELECT key, value FROM entries"))
