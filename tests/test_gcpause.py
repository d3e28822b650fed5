"""The collector pause (:mod:`waform.gcpause`): what a paused block kept is not scanned again as
young objects once the collector is back, and reference cycles are still freed."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from waform.gcpause import collector_paused


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.enable()
    yield
    if not enabled:
        gc.disable()


def test_what_a_paused_block_kept_is_old_once_the_collector_is_back() -> None:
    with collector_paused():
        assert not gc.isenabled()
        kept = [[number] for number in range(10_000)]
    assert gc.isenabled()
    young = {id(item) for item in gc.get_objects(generation=0)}
    assert not any(id(item) in young for item in kept)
    oldest = {id(item) for item in gc.get_objects(generation=2)}
    assert all(id(item) in oldest for item in kept)


class _Node:
    peer: _Node


def test_a_cycle_made_while_paused_is_still_freed() -> None:
    with collector_paused():
        node = _Node()
        node.peer = node
        alive = weakref.ref(node)
        del node
    assert alive() is not None  # only the collector frees a cycle
    gc.collect()
    assert alive() is None


def test_an_inner_pause_leaves_the_collector_to_the_outer_one() -> None:
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_what_the_program_froze_itself_stays_frozen() -> None:
    """A program that froze its objects (before forking workers, say) keeps them frozen."""
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector_paused():
            pass
        assert gc.get_freeze_count() == frozen > 0
    finally:
        gc.unfreeze()
