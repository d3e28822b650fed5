"""fetch_remote against the emulator: request counts, scope processors, by-name vs sweep."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from emulator_remote import PROJECT, Remote
from waform.client import NO_RETRY, ApiError
from waform.config import Config
from waform.inventory import pair, processors


@pytest.fixture
def remote(tmp_path: Path):
    r = Remote(tmp_path)
    yield r
    r.control.close()


def keys(templates: list) -> list[tuple[str, str]]:
    return [t.key for t in templates]


def test_full_sweep_needs_one_request_per_thousand(remote: Remote) -> None:
    names = [f"tpl_{i:05d}" for i in range(2500)]
    remote.seed(names)
    result = remote.fetch(None, Config())
    assert result.requests == math.ceil(2500 / 1000) == 3
    assert (result.strategy, result.complete) == ("sweep", True)
    assert keys(result.templates) == [(n, "EN_US") for n in names]
    queries = remote.queries()
    assert all("pageSize=1000" in q for q in queries)
    assert "pageToken" not in queries[0] and all("pageToken=" in q for q in queries[1:])


def test_empty_project_costs_one_request(remote: Remote) -> None:
    result = remote.fetch(None, Config())
    assert (result.requests, result.templates) == (1, [])


def test_a_single_prefix_scope_is_filtered_by_the_api(remote: Remote) -> None:
    remote.seed([f"shop_{i:04d}" for i in range(1200)] + [f"other_{i}" for i in range(50)])
    result = remote.fetch(None, Config.model_validate({"scope": {"include": ["shop_*"]}}))
    assert result.requests == 2
    assert result.name_prefix == "shop_"
    assert len(result.templates) == 1200
    assert pair([], result.templates, processors(Config())).out_of_scope == []
    assert all("templateName=shop_" in q for q in remote.queries())


def test_scope_and_ignore_processors_split_what_was_fetched(remote: Remote) -> None:
    remote.seed(["a_order", "a_test", "legacy_promo", "b_other"], ("EN_US", "PT_BR"))
    config = Config.model_validate(
        {
            "scope": {"include": ["a_*", "legacy_*"], "exclude": ["a_test"]},
            "ignore": {"names": ["legacy_*"], "languages": ["pt_BR"]},
        }
    )
    result = remote.fetch(None, config)
    assert len(result.templates) == 8 and result.requests == 1
    inventory = pair([], result.templates, processors(config))
    assert [p.key for p in inventory.managed] == [("a_order", "EN_US")]
    assert [p.key for p in inventory.ignored] == [
        ("a_order", "PT_BR"),
        ("legacy_promo", "EN_US"),
        ("legacy_promo", "PT_BR"),
    ]
    assert [p.key for p in inventory.out_of_scope] == [
        ("a_test", "EN_US"),
        ("a_test", "PT_BR"),
        ("b_other", "EN_US"),
        ("b_other", "PT_BR"),
    ]


def test_a_few_names_are_fetched_by_name(remote: Remote) -> None:
    remote.seed([f"tpl_{i}" for i in range(30)], ("EN_US", "DE"))
    result = remote.fetch({"tpl_1", "tpl_2", "missing_one"}, Config())
    assert (result.strategy, result.complete, result.requests) == ("by-name", False, 3)
    assert keys(result.templates) == [
        ("tpl_1", "DE"),
        ("tpl_1", "EN_US"),
        ("tpl_2", "DE"),
        ("tpl_2", "EN_US"),
    ]
    assert sorted(r["path"].rsplit("/", 1)[1] for r in remote.control.requests(PROJECT)) == [
        "missing_one",
        "tpl_1",
        "tpl_2",
    ]


def test_by_name_concurrency_is_bounded(remote: Remote) -> None:
    names = {f"tpl_{i}" for i in range(16)}
    remote.seed(sorted(names))
    remote.control.set_faults(latency_ms=30)
    result = remote.fetch(names, Config(), threshold=20, concurrency=4)
    assert result.requests == 16 and len(result.templates) == 16
    assert remote.transport.max_in_flight == 4


@pytest.mark.parametrize(
    ("config", "names"),
    [
        ({"prune": True}, {"tpl_1"}),  # pruning must see every remote name
        ({}, {f"tpl_{i}" for i in range(21)}),  # beyond the threshold a sweep is cheaper
    ],
)
def test_when_a_sweep_is_required(remote: Remote, config: dict, names: set[str]) -> None:
    remote.seed([f"tpl_{i}" for i in range(40)])
    result = remote.fetch(names, Config.model_validate(config))
    assert (result.strategy, result.requests, len(result.templates)) == ("sweep", 1, 40)


def test_faults_during_a_sweep_cost_only_the_retries(remote: Remote) -> None:
    remote.seed([f"tpl_{i:05d}" for i in range(2100)])
    remote.control.set_faults(script=["ok", "throttle", "error", "ok"], retry_after=0)
    result = remote.fetch(None, Config())
    assert result.requests == 3 + 2
    assert len(result.templates) == 2100


def test_a_failure_while_fetching_by_name_is_one_error(remote: Remote) -> None:
    remote.control.set_faults(error_rate=1.0)
    with pytest.raises(ApiError) as info:
        remote.fetch({"a_1", "a_2", "a_3"}, Config(), retry=NO_RETRY)
    message = str(info.value)
    assert message.startswith("listTemplatesByName a_")
    assert ": 500 internal_error: " in message and "\n" not in message
