"""A changed text is shown word by word: `waform plan` in the terminal and in Markdown, after a
real apply to the embedded emulator and an edit of the file. JSON keeps the whole values, and
the HTML page marks the same words (one word diff behind all of them)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from one_template_project import TEMPLATE, local_project, run
from waform.emulator import EmulatorControl
from waform.plan import Plan
from waform.render import render
from waform.worddiff import excerpt, word_diff

OLD = "Hello {{1}}, your order is ready for pickup at the store."
NEW = "Hello {{1}}, your parcel is ready for pickup at the shop."


def applied(root: Path, body: str) -> None:
    """``body`` created at the embedded emulator and approved by its reviewer."""
    (root / "templates" / "qa_hello.yaml").write_text(TEMPLATE.replace(OLD, body))
    code, out, err = run("apply", "templates", "--auto-approve")
    assert code == 0, out + err
    with EmulatorControl.in_process(root / ".waform" / "emulator.sqlite3") as control:
        assert control.complete_reviews("local", outcome="APPROVED")


def applied_then_edited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new: str) -> Path:
    """The one-template project applied and approved, then its body edited to ``new``."""
    root = local_project(tmp_path, monkeypatch)
    assert OLD in TEMPLATE
    applied(root, OLD)
    (root / "templates" / "qa_hello.yaml").write_text(TEMPLATE.replace(OLD, new))
    return root


def change_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("      ")]


def test_terminal_and_markdown_show_only_the_changed_words(tmp_path, monkeypatch):
    applied_then_edited(tmp_path, monkeypatch, NEW)

    code, out, _ = run("plan", "templates")
    assert code == 0
    assert change_lines(out) == [
        '      ~ components[BODY].text: "Hello {{1}}, your [-order-]{+parcel+} is ready for '
        'pickup at the [-store-]{+shop+}."'
    ]
    assert "\x1b[" not in out  # not a terminal: no colour

    code, markdown, _ = run("plan", "templates", "--markdown")
    assert code == 0
    assert (
        "- `components[BODY].text`: Hello {{1}}, your <del>order</del> <b>parcel</b> is ready for "
        "pickup at the <del>store</del> <b>shop</b>." in markdown.splitlines()
    )
    assert "```diff" not in markdown  # the only change is a text: no line diff besides
    html = MarkdownIt("commonmark").render(markdown)
    assert re.findall(r"<del>(.*?)</del>", html) == ["order", "store"]
    assert re.findall(r"<b>(.*?)</b>", html) == ["parcel", "shop"]


def test_json_keeps_the_whole_old_and_new_values(tmp_path, monkeypatch):
    applied_then_edited(tmp_path, monkeypatch, NEW)
    code, out, _ = run("plan", "templates", "--json")
    assert code == 0
    (action,) = json.loads(out)["actions"]
    assert action["changes"] == [
        {"path": "components[BODY].text", "op": "change", "old": OLD, "new": NEW}
    ]


def test_a_long_body_shows_a_few_words_around_each_change(tmp_path, monkeypatch):
    middle = " ".join(f"word{i}" for i in range(40))
    before = f"Hello {{{{1}}}}, {middle} is ready."
    after = before.replace("word3 ", "term3 ").replace("word30 ", "term30 ")
    root = local_project(tmp_path, monkeypatch)
    applied(root, before)
    (root / "templates" / "qa_hello.yaml").write_text(TEMPLATE.replace(OLD, after))

    code, out, _ = run("plan", "templates")
    assert code == 0
    assert change_lines(out) == [
        '      ~ components[BODY].text: "Hello {{1}}, word0 word1 word2 [-word3-]{+term3+} '
        "word4 word5 word6 word7 … word26 word27 word28 word29 [-word30-]{+term30+} word31 "
        'word32 word33 word34 …"'
    ]
    code, markdown, _ = run("plan", "templates", "--markdown")
    assert (
        "- `components[BODY].text`: Hello {{1}}, word0 word1 word2 <del>word3</del> <b>term3</b> "
        "word4 word5 word6 word7 … word26 word27 word28 word29 <del>word30</del> <b>term30</b> "
        "word31 word32 word33 word34 …" in markdown.splitlines()
    )


def test_markdown_text_is_literal_and_never_mentions_anyone(tmp_path, monkeypatch):
    new = "Hello {{1}}, your *order* is ready for @pickup at the <b>store</b> | #12."
    applied_then_edited(tmp_path, monkeypatch, new)
    code, markdown, _ = run("plan", "templates", "--markdown")
    assert code == 0
    (line,) = [ln for ln in markdown.splitlines() if ln.startswith("- `components")]
    html = MarkdownIt("commonmark").render(line)
    # What GitHub shows: the changed words struck/bold, every character of the text literal.
    assert re.findall(r"<del>(.*?)</del>", html) == ["order"]
    assert re.findall(r"<b>(.*?)</b>", html) == [
        "*order*",
        "@\u200b",
        "&lt;b&gt;",
        "&lt;/b&gt; | #\u200b12",
    ]
    assert "<em>" not in html
    # GitHub links @name and #123 in any text: a zero-width space after the sign stops it.
    assert "@" not in html.replace("@\u200b", "") and "#" not in html.replace("#\u200b", "")


def test_colour_marks_words_red_and_green_without_brackets(tmp_path, monkeypatch):
    applied_then_edited(tmp_path, monkeypatch, NEW)
    assert run("plan", "templates", "--out", "plan.json")[0] == 0
    plan = Plan.from_json(Path("plan.json").read_text())
    coloured = render(plan, "text", color=True)
    (line,) = [ln for ln in coloured.splitlines() if "components[BODY].text" in ln]
    assert "\x1b[31m\x1b[9morder\x1b[0m\x1b[32m\x1b[1mparcel\x1b[0m" in line
    assert "[-" not in line and "{+" not in line


def test_the_html_page_marks_the_same_words(tmp_path, monkeypatch):
    applied_then_edited(tmp_path, monkeypatch, NEW)
    assert run("plan", "templates", "--html", "plan.html")[0] == 0
    page = Path("plan.html").read_text()
    marked = re.findall(r'<mark class="chg">([^<]*)</mark>', page)
    shown = [p.text for p in excerpt(word_diff(OLD, NEW)) if p.op in ("delete", "insert")]
    assert sorted(marked) == sorted(shown) == ["order", "parcel", "shop", "store"]


def test_word_diff_round_trips_and_joins_changes_split_by_spaces():
    old, new = "the quick brown fox", "a slow red fox"
    pieces = word_diff(old, new)
    assert [(p.op, p.text) for p in pieces] == [
        ("delete", "the quick brown"),
        ("insert", "a slow red"),
        ("equal", " fox"),
    ]
    assert "".join(p.text for p in pieces if p.op != "insert") == old
    assert "".join(p.text for p in pieces if p.op != "delete") == new
    # Nothing worth cutting (a one-word cut saves nothing): the text stays whole.
    assert [p.op for p in excerpt(word_diff("a b c d e f g h i j", "a b c d e X g h i j"))] == [
        "equal",
        "delete",
        "insert",
        "equal",
    ]
