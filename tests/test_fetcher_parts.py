"""A sweep read in name-prefix parts at once: where the name space is cut, when the parts are
accepted (provably the whole list) and when the ordinary sweep runs instead.

Against the real emulator (in-process transport); small pages make chains of several pages
cheap. A server whose ``templateName`` filter is not a prefix filter is the emulator behind a
transport that drops the parameter.
"""

from __future__ import annotations

import math
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator_remote import Remote, Tracking
from waform.config import Config
from waform.fetcher import FetchResult
from waform.sweep_parts import cut


def under(names: list[str], parts: list[str]) -> list[list[str]]:
    """For each name, the parts it starts with."""
    return [[p for p in parts if name.startswith(p)] for name in names]


# ------------------------------------------------------------------ where the name space is cut


def test_the_longest_parts_are_split_while_that_shortens_the_read() -> None:
    # The benchmark's shape: 5,000 names in two languages, 10 pages of 1,000.
    names = sorted(f"order_update_{i:05d}" for i in range(5000) for _ in range(2))
    assert cut(names, "", page_size=1000, at_once=8) == [f"order_update_0{d}" for d in range(5)]
    # Splitting all five again makes 50 one-page parts: 7 rounds at 8 at once (not 2), but
    # 1 round when 50 are read at once.
    assert len(cut(names, "", page_size=1000, at_once=50)) == 50
    # Two pages: 10 one-page parts take two rounds at 8 at once, as the ordinary sweep does.
    assert cut(names[:2000], "", page_size=1000, at_once=8) == []


def test_names_over_many_first_letters_are_read_a_letter_each() -> None:
    # A real project's names: 26 first letters, 400 template-languages under each, 11 pages.
    names = sorted(f"{letter}_template_{i:03d}" for letter in "abcdefghijklmnopqrstuvwxyz"
                   for i in range(200) for _ in range(2))  # fmt: skip
    parts = cut(names, "", page_size=1000, at_once=8)
    assert parts == list("abcdefghijklmnopqrstuvwxyz")  # 4 rounds of 8 instead of 11 pages
    # The same names filling 2 pages: 26 parts would take 4 rounds, the sweep 2.
    assert cut(names[::6], "", page_size=1000, at_once=8) == []


def test_one_page_or_less_is_not_cut() -> None:
    names = sorted(f"tpl_{i:03d}" for i in range(1000))
    assert cut(names, "", page_size=1000, at_once=8) == []
    assert cut([], "", page_size=1000, at_once=8) == []


def test_a_part_holding_a_name_equal_to_its_prefix_is_not_split() -> None:
    names = sorted(["order", *(f"order_{i}" for i in range(5)), *(f"ship_{i}" for i in range(5))])
    parts = cut(names, "", page_size=2, at_once=8)
    assert parts == ["o", "s"]  # "order" is a name: no part below it would list it
    assert all(len(found) == 1 for found in under(names, parts))


def test_the_parts_stay_within_the_scope_prefix() -> None:
    names = sorted([*(f"shop_{i:02d}" for i in range(30)), *(f"zz_{i}" for i in range(30))])
    parts = cut(names, "shop_", page_size=10, at_once=8)
    assert parts == ["shop_0", "shop_1", "shop_2"]


@given(
    st.lists(st.text("ab_\U0010ffff", min_size=1, max_size=5), max_size=60),
    st.sampled_from(["", "a", "ab", "b_"]),
    st.integers(1, 6),
    st.integers(2, 12),
)
def test_every_name_under_the_prefix_lies_under_exactly_one_part(
    names: list[str], prefix: str, page_size: int, at_once: int
) -> None:
    names.sort()
    parts = cut(names, prefix, page_size=page_size, at_once=at_once)
    pages = math.ceil(sum(n.startswith(prefix) for n in names) / page_size)
    assert len(parts) < max(1, pages) * at_once or not parts
    assert parts == sorted(set(parts))
    assert all(p.startswith(prefix) for p in parts)
    assert not any(a != b and b.startswith(a) for a in parts for b in parts)  # disjoint
    if parts:
        covered = under([n for n in names if n.startswith(prefix)], parts)
        assert all(len(found) == 1 for found in covered)


# ------------------------------------------------------------------ listing the parts


class IgnoresNameFilter(httpx.AsyncBaseTransport):
    """A server whose list ignores ``templateName`` (the emulator, without the parameter)."""

    def __init__(self, inner: Tracking) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params.remove("templateName")
        request.url = request.url.copy_with(params=params)
        return await self.inner.handle_async_request(request)


class RefusesNameFilter(httpx.AsyncBaseTransport):
    """A server that answers 400 to a list filtered by ``templateName``."""

    def __init__(self, inner: Tracking) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "templateName" in request.url.params:
            self.inner.sent.append(request.url)
            body = {"errorCode": "invalid_input", "message": "Unknown parameter templateName."}
            return httpx.Response(400, json=body, request=request)
        return await self.inner.handle_async_request(request)


@pytest.fixture
def remote(tmp_path: Path):
    r = Remote(tmp_path)
    yield r
    r.control.close()


NAMES = [f"tpl_{i:02d}" for i in range(30)]  # 60 template-languages: 6 pages of 10
LANGUAGES = ("EN_US", "DE")


def desired(names: list[str]) -> list[str]:
    return sorted(name for name in names for _ in LANGUAGES)


def fetch(remote: Remote, names: list[str], config: Config | None = None, **options) -> tuple:
    """The fetch with ``names`` desired, and what it told ``on_page``."""
    told: list = []
    result = remote.fetch(
        None,
        config or Config(),
        desired_names=desired(names),
        page_size=10,
        on_page=told.extend,
        **options,
    )
    return result, told


def sequential(remote: Remote, config: Config | None = None) -> FetchResult:
    return remote.fetch(None, config or Config(), page_size=10)


def dumped(result: FetchResult) -> list[dict]:
    return [t.model_dump() for t in result.templates]


def sent(remote: Remote) -> list[httpx.URL]:
    """The requests sent since the last call."""
    urls = list(remote.transport.sent)
    remote.transport.sent.clear()
    return urls


def test_the_parts_are_read_at_once_and_give_what_the_ordinary_sweep_gives(
    remote: Remote,
) -> None:
    remote.seed(NAMES, LANGUAGES)
    remote.control.set_faults(latency_ms=20)
    result, told = fetch(remote, NAMES)
    assert result.parts == ("tpl_0", "tpl_1", "tpl_2")  # 20 template-languages each
    # Each part a chain of two pages, all at once, and one request for the total.
    urls = sent(remote)
    assert result.requests == len(urls) == 3 * 2 + 1
    assert remote.transport.max_in_flight == 4
    asked = sorted((u.params.get("templateName", ""), u.params["pageSize"]) for u in urls)
    assert asked == [("", "1"), *[(f"tpl_{d}", "10") for d in range(3) for _ in range(2)]]
    assert sorted(t.key for t in told) == [t.key for t in result.templates]  # each told once
    plain = sequential(remote)
    assert (plain.parts, plain.requests) == ((), math.ceil(60 / 10))
    assert dumped(result) == dumped(plain)


def test_templates_under_no_part_make_it_sweep_page_after_page(remote: Remote) -> None:
    remote.seed([*NAMES, "legacy_promo"], LANGUAGES)  # not in the files
    result, told = fetch(remote, NAMES)
    assert result.parts == ()
    assert result.requests == len(sent(remote)) == (3 * 2 + 1) + math.ceil(62 / 10)
    assert ("legacy_promo", "EN_US") in [t.key for t in result.templates]
    assert dumped(result) == dumped(sequential(remote))
    assert {t.key for t in told} == {t.key for t in result.templates}


def test_a_name_equal_to_an_inner_prefix_makes_it_sweep_page_after_page(remote: Remote) -> None:
    remote.seed([*NAMES, "tpl"], LANGUAGES)  # "tpl" lies under no part "tpl_…"
    result, _ = fetch(remote, NAMES)
    assert result.parts == ()
    assert [t.key for t in result.templates][:2] == [("tpl", "DE"), ("tpl", "EN_US")]
    assert dumped(result) == dumped(sequential(remote))


def test_a_server_whose_filter_is_no_prefix_filter_gets_the_ordinary_sweep(
    remote: Remote,
) -> None:
    remote.seed(NAMES, LANGUAGES)
    result, told = fetch(remote, NAMES, transport=IgnoresNameFilter(remote.transport))
    assert result.parts == ()
    # Each part stops at its first page with a name outside its prefix (that of "tpl_0" comes
    # third; the others end it sooner), then the 6 pages in turn.
    requests = len(sent(remote))
    assert result.requests == requests and (3 + 1) + 6 <= requests <= (3 + 1) + 2 + 6
    assert dumped(result) == dumped(sequential(remote))
    assert {t.key for t in told} == {t.key for t in result.templates}


def test_a_server_that_refuses_the_filter_gets_the_ordinary_sweep(remote: Remote) -> None:
    remote.seed(NAMES, LANGUAGES)
    result, _ = fetch(remote, NAMES, transport=RefusesNameFilter(remote.transport))
    assert result.parts == ()
    # Refused parts are not sent again (the first ends the others), then the 6 pages in turn.
    requests = len(sent(remote))
    assert result.requests == requests and 1 + 6 <= requests <= (3 + 1) + 6
    assert dumped(result) == dumped(sequential(remote))


def test_a_scope_prefix_bounds_the_parts_and_the_total(remote: Remote) -> None:
    remote.seed(NAMES, LANGUAGES)
    remote.seed([f"other_{i}" for i in range(15)])  # outside the scope: never listed
    config = Config.model_validate({"scope": {"include": ["tpl_*"]}})
    result, _ = fetch(remote, [*NAMES, "other_1"], config)
    assert result.parts == ("tpl_0", "tpl_1", "tpl_2")
    assert all(u.params["templateName"].startswith("tpl_") for u in sent(remote))
    assert dumped(result) == dumped(sequential(remote, config))


def test_a_few_desired_names_keep_the_single_request(remote: Remote) -> None:
    remote.seed(NAMES[:5], LANGUAGES)
    result, _ = fetch(remote, NAMES[:5])
    assert (result.parts, result.requests) == ((), 1)
