"""WhatsApp formatting and word-level change marks of :mod:`waform.preview.text`."""

from __future__ import annotations

from waform.preview.text import Styled, Text, Var, rich_text
from waform.worddiff import changed_mask


def nodes(text: str, examples=(), **kw):
    rich = rich_text(text, list(examples), **kw)
    assert rich is not None
    return [line.nodes for line in rich.lines]


def test_markers_open_and_close_at_word_edges():
    (line,) = nodes("a *b c* 2*3*4 _x_ ~s~ `c` ```m *n*``` *not closed")
    styled = [(n.style, n.children) for n in line if isinstance(n, Styled)]
    assert styled == [
        ("bold", (Text("b c"),)),
        ("italic", (Text("x"),)),
        ("strike", (Text("s"),)),
        ("code", (Text("c"),)),
        ("mono", (Text("m *n*"),)),
    ]
    assert Text(" 2*3*4 ") in line and Text(" *not closed") in line
    assert nodes("* spaced *") == [(Text("spaced *"),)]  # a bullet, not bold


def test_variables_take_examples_and_can_be_styled():
    (line,) = nodes("*{{1}}* for {{2}} and {{3}} {{name}}", ["123", "Ann"])
    assert line[0] == Styled("bold", (Var("{{1}}", "123"),))
    assert Var("{{2}}", "Ann") in line
    assert Var("{{3}}", None) in line  # no example: shown as written, marked missing
    assert Text(" {{name}}") in line


def test_example_text_is_never_parsed_for_markers():
    (line,) = nodes("Hi {{1}}", ["*not bold*"])
    assert line == (Text("Hi "), Var("{{1}}", "*not bold*"))


def test_line_kinds():
    rich = rich_text("top\n- one\n* two\n3. three\n> quoted\n\nend")
    assert rich is not None
    kinds = [(line.kind, line.marker) for line in rich.lines]
    assert kinds == [
        ("line", ""),
        ("bullet", "•"),
        ("bullet", "•"),
        ("number", "3."),
        ("quote", ""),
        ("line", ""),
        ("line", ""),
    ]
    assert rich_text("- not a list", inline=True).lines[0].kind == "line"


def test_word_level_changes():
    text, old = "Hi {{1}}, your order ships today.", "Hi {{1}}, the order ships tomorrow."
    mask = changed_mask(text, old)
    marked = "".join(ch if flag else "." for ch, flag in zip(text, mask, strict=True))
    assert marked.replace(".", " ").split() == ["your", "today"]
    assert changed_mask(text, None) == [False] * len(text)
    assert all(changed_mask(text, ""))
    (line,) = nodes("say *hello* now", against="say *goodbye* now")
    assert line[1] == Styled("bold", (Text("hello", changed=True),))
    (line,) = nodes("your *order* left", against="your order left")  # now bold: a change
    assert line[1] == Styled("bold", (Text("order", changed=True),))
    (line,) = nodes("{{2}} left", ["x", "y"], against="{{1}} left")
    assert line[0] == Var("{{2}}", "y", changed=True)
