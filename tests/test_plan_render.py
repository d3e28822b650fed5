"""Text and Markdown renderings of plans built by the differ."""

from __future__ import annotations

from waform.differ import DiffSettings, diff
from waform.model.remote import RemoteTemplate
from waform.model.template import SourceRef, TemplateFile
from waform.render import render
from waform.render.markdown import PLAN_LIMIT, PLAN_MARKER

BODY = {"type": "BODY", "text": "Hi {{1}}", "examples": ["Anna"]}


def _desired(name: str, text: str = "Hi {{1}}", lang: str = "EN_US", **entry):
    tf = TemplateFile.model_validate(
        {
            "name": name,
            "category": "UTILITY",
            "languages": {lang: {"details": {"components": [{**BODY, "text": text}]}, **entry}},
        },
        strict=False,
    )
    return tf.desired(SourceRef(f"templates/{name}.yaml", 5, 5))[0]


def _remote(name: str, text: str = "Hi {{1}}", lang: str = "EN_US", **kw) -> RemoteTemplate:
    return RemoteTemplate.model_validate(
        {
            "name": name,
            "language": lang,
            "category": "UTILITY",
            "state": "APPROVED",
            "details": {"components": [{**BODY, "text": text}]},
            **kw,
        }
    )


def _mixed_plan():
    remotes = [
        _remote("edited"),
        _remote("gone"),
        _remote("review", changes={"status": "IN_PROGRESS", "details": {"components": [BODY]}}),
        _remote(
            "drafted",
            state=None,
            details=None,
            changes={"status": "DRAFT", "details": {"components": [BODY]}},
        ),
        _remote("same"),
    ]
    wanted = [
        _desired("edited", "Hello | {{1}} ```"),
        _desired("fresh"),
        _desired("review", "Other {{1}}"),
        _desired("drafted"),
        _desired("same"),
    ]
    return diff(wanted, remotes, DiffSettings(prune=True), target="local")


def test_text_rendering_is_terraform_like():
    text = render(_mixed_plan(), "text")
    lines = text.splitlines()
    assert lines[0] == 'waform will make these changes to target "local":'
    assert any(line.startswith("  + fresh/EN_US  create") for line in lines)
    assert any(line.startswith("  ~ edited/EN_US  update (APPROVED;") for line in lines)
    assert any(line.startswith("  > drafted/EN_US  submit") for line in lines)
    assert any(line.startswith("  - gone/EN_US  delete") for line in lines)
    assert '      ~ components[BODY].text: "[-Hi-]{+Hello |+} {{1}}{+ ```+}"' in lines
    assert any(line.startswith("  ! review/EN_US  review-in-progress") for line in lines)
    assert (
        "      → re-run plan after the review (approval or rejection) to apply this change" in lines
    )
    assert lines[-1] == (
        "Plan: 1 to create, 1 to submit, 1 to update, 1 to delete, 1 blocked, 1 unchanged."
    )
    assert "\x1b[" not in text


def test_colour_only_when_asked():
    coloured = render(_mixed_plan(), "text", color=True)
    assert "\x1b[32m" in coloured  # green +
    assert "\x1b[31m" in coloured  # red -
    assert render(_mixed_plan(), "text", color=False).count("\x1b") == 0


def test_text_of_an_empty_plan_says_so():
    plan = diff([_desired("same")], [_remote("same")], target="local")
    assert (
        render(plan, "text")
        == 'No changes: git and target "local" match.\nPlan: no changes, 1 unchanged.'
    )


def test_markdown_has_marker_summary_tables_and_collapsible_details():
    md = render(_mixed_plan(), "markdown")
    assert md.splitlines()[0] == PLAN_MARKER
    assert (
        "**Plan:** 1 to create, 1 to submit, 1 to update, 1 to delete, 1 blocked, 1 unchanged."
        in md
    )
    assert "| ! | `review` | EN_US | review-in-progress:" in md
    assert "| + | `fresh` | EN_US | create | — |" in md
    assert "| - | `gone` | EN_US | delete | APPROVED |" in md
    assert md.count("<details>") == md.count("</details>") == 4  # blocked + 3 non-delete actions
    # A text change word by word; backticks and pipes stay literal (escaped).
    assert "- `components[BODY].text`: <del>Hi</del> <b>Hello \\|</b> {{1}} <b>\\`\\`\\`</b>" in md


def test_markdown_table_cells_are_escaped():
    plan = _mixed_plan()
    blocked = plan.blocked[0].model_copy(update={"remedy": "a | b <script>"})
    md = render(plan.model_copy(update={"blocked": [blocked]}), "markdown")
    assert "a \\| b &lt;script&gt;" in md and "<script>" not in md


def test_markdown_stays_under_githubs_limit_with_a_note():
    wanted = [
        _desired(f"template_{i:05d}", f"Text {i} {{{{1}}}} " + "x" * 200) for i in range(3000)
    ]
    remotes = [_remote(f"template_{i:05d}") for i in range(3000)]
    plan = diff(wanted, remotes, target="local")
    md = render(plan, "markdown")
    assert len(md) <= PLAN_LIMIT < 65_536
    assert md.startswith(PLAN_MARKER)
    assert "more item(s) not shown" in md
    assert "**Plan:** 3000 to update." in md
    small = render(_mixed_plan(), "markdown")
    assert "not shown" not in small
