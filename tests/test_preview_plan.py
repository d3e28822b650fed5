"""The plan's preview: only changed templates, live beside proposed, changed words highlighted.

Example templates are applied to the emulator and approved through its control API ("Meta");
then the files are edited the way a pull request would, and `waform plan --html` and
`waform preview --plan` draw the plan. The pages are read in headless Chromium.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from browser_support import browser, open_page, screenshot  # noqa: F401 - fixture
from waform.cli import cli
from waform.emulator import EmulatorControl

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "templates"
PROJECT = "local"


def waform(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Plan pages of an edited repository (built before the browser starts: see browser)."""
    root = tmp_path_factory.mktemp("repo")
    templates = root / "templates"
    templates.mkdir()
    for name in ("order_shipped", "login_code", "welcome_coupon"):
        shutil.copy(EXAMPLES / f"{name}.yaml", templates)
    config = root / "waform.yaml"
    config.write_text("targets:\n  local: {type: local, state: state.sqlite3}\n")
    code, _, err = waform("apply", str(templates), "--config", str(config), "--auto-approve")
    assert code == 0, err
    with EmulatorControl.in_process(root / "state.sqlite3") as control:
        assert control.complete_reviews(PROJECT, outcome="APPROVED")

    shipped = templates / "order_shipped.yaml"
    edit(shipped, "Hi {{1}}, good news: your order", "Hi {{1}}, great news: your *order*")
    edit(shipped, '"Example Shop customer service"', '"Example Shop support"')
    edit(shipped, 'text: "Track package"', 'text: "Track my parcel"')
    edit(templates / "welcome_coupon.yaml", "15% off your first order", "20% off your first order")
    (templates / "login_code.yaml").unlink()  # deleted only with prune: stays unmanaged
    shutil.copy(EXAMPLES / "store_pickup_ready.yaml", templates)  # new: two creates

    html = root / "plan.html"
    saved = root / "plan.json"
    args = ("plan", str(templates), "--config", str(config))
    code, out, err = waform(*args, "--html", str(html), "--out", str(saved))
    assert code == 0, err
    assert f"wrote {html}" in err
    code, markdown, err = waform(*args, "--markdown")
    assert code == 0, err
    from_file = root / "from-file.html"
    code, _, err = waform(
        "preview", "--plan", str(saved), "--config", str(config), "-o", str(from_file)
    )
    assert code == 0, err
    edit(shipped, "great news", "fantastic news")
    stale = root / "stale.html"
    code, _, err = waform(
        "preview", "--plan", str(saved), "--config", str(config), "-o", str(stale)
    )
    assert code == 0, err
    assert "files changed since this plan was made" in err
    return {"plan": html, "from_file": from_file, "stale": stale, "text": out, "md": markdown}


@pytest.fixture(scope="module")
def plan_page(pages, browser):  # noqa: F811 - fixture
    opened = open_page(browser, pages["plan"], width=1200)
    yield opened
    opened.page.context.close()


def changes(opened) -> list[tuple[str, str, str]]:
    return [
        tuple(row)
        for row in opened.page.eval_on_selector_all(
            "section.change",
            "els => els.map(e => [e.dataset.template, e.dataset.language, e.dataset.action])",
        )
    ]


def test_only_the_changed_templates_are_shown(plan_page, pages):
    assert changes(plan_page) == [
        ("order_shipped", "EN_US", "update"),
        ("store_pickup_ready", "EN_US", "create"),
        ("store_pickup_ready", "PT_BR", "create"),
        ("welcome_coupon", "EN_US", "update"),
    ]
    assert pages["text"].rstrip().endswith("3 unmanaged, 4 unchanged.")
    assert plan_page.page.locator('section.change[data-template="login_code"]').count() == 0


def marked(opened, name: str, language: str, side: str) -> list[str]:
    section = f'section.change[data-template="{name}"][data-language="{language}"]'
    return [
        text.strip()
        for text in opened.page.locator(f"{section} .side-{side} .msg mark.chg").all_inner_texts()
    ]


def test_changed_words_are_highlighted_on_both_sides(plan_page):
    assert marked(plan_page, "order_shipped", "EN_US", "live") == [
        "good",
        "order",
        "customer service",
        "package",
    ]
    assert marked(plan_page, "order_shipped", "EN_US", "new") == [
        "great",
        "order",
        "support",
        "my parcel",
    ]
    assert marked(plan_page, "welcome_coupon", "EN_US", "live") == ["15"]
    assert marked(plan_page, "welcome_coupon", "EN_US", "new") == ["20"]
    section = 'section.change[data-template="order_shipped"]'
    live = plan_page.page.locator(f"{section} .side-live mark.chg").first
    new = plan_page.page.locator(f"{section} .side-new mark.chg").first
    style = "(e, p) => getComputedStyle(e).getPropertyValue(p)"
    assert "line-through" in live.evaluate(style, "text-decoration-line")
    assert live.evaluate(style, "background-color") != new.evaluate(style, "background-color")
    # The proposed *order* is bold there; the button whose label changed is outlined.
    assert (
        plan_page.page.locator(f"{section} .side-new .msg strong mark.chg").inner_text() == "order"
    )
    labels = plan_page.page.locator(f"{section} .side-new .btn.changed .btn-label")
    assert labels.all_inner_texts() == ["Track my parcel"]
    old_label = plan_page.page.locator(f"{section} .side-live .btn.changed .btn-label")
    assert old_label.all_inner_texts() == ["Track package"]


def test_a_create_has_no_live_side(plan_page):
    section = 'section.change[data-template="store_pickup_ready"][data-language="PT_BR"]'
    assert plan_page.page.locator(f"{section} .side-live .absent").inner_text() == (
        "New: nothing is live yet."
    )
    assert plan_page.page.locator(f"{section} .side-new .msg").count() == 1
    assert plan_page.page.locator(f"{section} mark.chg").count() == 0


def test_no_request_and_a_screenshot(plan_page, tmp_path):
    assert plan_page.outside_requests == [] and plan_page.dialogs == []
    assert screenshot(plan_page, "preview-plan.png", tmp_path).stat().st_size > 20_000


def test_preview_of_a_saved_plan_draws_the_same_changes(pages, browser):  # noqa: F811
    opened = open_page(browser, pages["from_file"], width=1200)
    try:
        assert len(changes(opened)) == 4
        assert marked(opened, "order_shipped", "EN_US", "live")[:3] == [
            "good",
            "order",
            "customer service",
        ]
        assert opened.page.locator(".page-head .warning").count() == 0
    finally:
        opened.page.context.close()
    opened = open_page(browser, pages["stale"], width=1200)
    try:
        warning = opened.page.locator(".page-head .warning").inner_text()
        assert "files changed since this plan was made" in warning
        assert marked(opened, "order_shipped", "EN_US", "new")[0] == "fantastic"
    finally:
        opened.page.context.close()


def test_the_pull_request_comment_says_how_to_open_the_preview(pages):
    head = pages["md"].split("####", 1)[0]
    assert "`waform preview --plan plan.json -o preview.html`" in head
    assert "`waform plan … --html preview.html`" in head
