"""The Markdown comments as GitHub shows them: rendered by GitHub's own parser (cmark-gfm, through
``cmarkgfm``), then drawn by Chromium.

``plan --markdown``, ``drift --markdown`` and ``apply --markdown`` are read by people in pull
requests and issues, never as text. A table with one cell too many, a ``|`` in a template's text
or an unclosed ``<details>`` all look fine in a string comparison and break on GitHub; here the
comments go through the parser GitHub uses, and the HTML it makes is checked for what a reader
needs (every table well formed, every change and name visible), and drawn.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from apply_support import Project, template_yaml
from browser_support import browser, open_page, screenshot  # noqa: F401 - fixture

cmarkgfm = pytest.importorskip("cmarkgfm")

#: The GitHub Flavored Markdown extensions a comment is rendered with.
GFM_EXTENSIONS = ["table", "strikethrough", "autolink", "tagfilter", "tasklist"]
PIPE_TEXT = "Order {{1}} | was | split across {{2}} cells if the pipes leak."


def to_html(markdown: str) -> str:
    from cmarkgfm.cmark import Options

    # UNSAFE keeps raw HTML (<details>, <summary>, the hidden marker) as GitHub's renderer
    # does before its sanitiser, which allows those elements.
    return cmarkgfm.markdown_to_html_with_extensions(
        markdown, options=Options.CMARK_OPT_UNSAFE, extensions=GFM_EXTENSIONS
    )


#: Elements inside a line of text, never a block GitHub made of a broken table.
_INLINE = frozenset({"b", "strong", "del", "em", "code", "a", "span"})


class _Tables(HTMLParser):
    """Cell counts per row of each table, and text outside tables that looks like a table row
    (a table GitHub could not parse shows as a paragraph of pipes)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[int]] = []
        self.depth = 0
        self.leaked: list[str] = []
        self.text: list[str] = []
        self.inline = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.inline += tag in _INLINE
        if tag == "table":
            self.depth += 1
            self.tables.append([])
        elif tag == "tr" and self.depth:
            self.tables[-1].append(0)
        elif tag in ("td", "th") and self.depth:
            self.tables[-1][-1] += 1

    def handle_endtag(self, tag: str) -> None:
        self.inline -= tag in _INLINE
        if tag == "table":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        # A row GitHub could not parse is block text; pipes inside an inline element (a changed
        # word in <b>, a code span) are the template's own text.
        if self.depth or self.inline:
            return
        if data.strip().startswith("|") and data.count("|") >= 2:
            self.leaked.append(data.strip())


def tables_of(html: str) -> _Tables:
    parser = _Tables()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def comments(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The three comments of one story: applied, then edited in git (a ``|`` in the text), a
    new template, and one edited from the dashboard."""
    root = tmp_path_factory.mktemp("gfm")
    cwd = os.getcwd()
    os.chdir(root)
    project = Project(root)
    try:
        for name in ("alpha", "beta", "gamma"):
            project.write(name)
        assert project.apply("--auto-approve").exit_code == 0
        for name in ("alpha", "beta", "gamma"):
            project.approve(name)
        project.write("alpha", text=PIPE_TEXT)
        project.write("delta")
        (project.templates / "gamma.yaml").write_text(template_yaml("gamma", 3))
        planned = project.plan("--markdown")
        assert planned.exit_code == 0, planned.stderr
        drift = project.run("drift", "templates", "--markdown")
        applied = project.apply("--auto-approve", "--markdown")
        assert applied.exit_code == 0, applied.stderr
        yield {"plan": planned.stdout, "drift": drift.stdout, "apply": applied.stdout}
    finally:
        project.close()
        os.chdir(cwd)


@pytest.mark.parametrize("kind", ["plan", "drift", "apply"])
def test_every_table_is_well_formed_on_github(comments: dict[str, str], kind: str) -> None:
    html = to_html(comments[kind])
    parsed = tables_of(html)
    assert parsed.tables, f"{kind}: no table at all"
    for rows in parsed.tables:
        assert len(set(rows)) == 1, f"{kind}: rows with different cell counts {rows}"
    assert parsed.leaked == [], f"{kind}: table rows GitHub shows as text"
    assert html.count("<details>") == html.count("</details>")


def test_the_plan_shows_each_change_with_the_pipe_in_its_text(comments: dict[str, str]) -> None:
    text = " ".join(tables_of(to_html(comments["plan"])).text)
    for name in ("alpha", "delta", "gamma"):
        assert name in text
    assert "was | split" in text.replace("\\|", "|")
    # The changed words, struck and bold as GitHub draws them (the pipes literal).
    html = to_html(comments["plan"])
    assert "<del>(alpha, version 1) arrives on</del> <b>| was | split across</b>" in html


@pytest.fixture(scope="module")
def drawn(
    comments: dict[str, str],
    browser: object,  # noqa: F811 - fixture
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, object]]:
    directory = tmp_path_factory.mktemp("gfm-pages")
    pages: dict[str, object] = {}
    style = "body{font:14px sans-serif;max-width:900px}td,th{border:1px solid #888;padding:3px}"
    for kind, markdown in comments.items():
        path = directory / f"{kind}.html"
        path.write_text(
            f"<!doctype html><meta charset=utf-8><style>{style}</style>{to_html(markdown)}",
            encoding="utf-8",
        )
        pages[kind] = open_page(browser, path, width=1000)
    yield pages
    for opened in pages.values():
        opened.page.context.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", ["plan", "drift", "apply"])
def test_the_comment_draws_as_tables_a_reader_can_read(
    drawn: dict[str, object], kind: str, tmp_path: Path
) -> None:
    opened = drawn[kind]
    page = opened.page  # type: ignore[attr-defined]
    page.evaluate(
        "document.querySelectorAll('details').forEach(d => d.open = true)"
    )  # a reader opens them
    assert page.locator("table").count() >= 1
    for table in page.locator("table").all():
        box = table.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 20
    assert opened.outside_requests == []  # type: ignore[attr-defined]
    shot = screenshot(opened, f"markdown-{kind}.png", tmp_path)  # type: ignore[arg-type]
    assert shot.stat().st_size > 5_000
