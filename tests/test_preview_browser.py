"""`waform preview` seen the way a reviewer sees it: the page opened in headless Chromium.

The page is written by the real CLI from the example templates (and from a hostile template),
then checked in the rendered DOM: one message per template-language, examples in place of
variables, WhatsApp formatting as computed styles, buttons with their labels, right-to-left
Arabic, hostile text shown literally with no script run, and no request to any host.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from browser_support import browser, open_page, screenshot  # noqa: F401 - fixture
from waform.cli import cli
from waform.loader import load_paths

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "templates"


def write_preview(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "preview.html"
    result = CliRunner().invoke(cli, ["preview", *args, "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def examples_page(browser, tmp_path_factory):  # noqa: F811 - fixture
    tmp = tmp_path_factory.mktemp("examples")
    opened = open_page(browser, write_preview(tmp, str(EXAMPLES)))
    yield opened
    opened.page.context.close()


def message(opened, name: str, language: str):
    return opened.page.locator(f'.msg[data-template="{name}"][data-language="{language}"]')


def test_one_message_per_template_language(examples_page):
    desired = load_paths([EXAMPLES]).templates
    shown = examples_page.page.eval_on_selector_all(
        ".msg", "els => els.map(e => [e.dataset.template, e.dataset.language])"
    )
    assert sorted(map(tuple, shown)) == sorted(t.key for t in desired)
    assert len(shown) == len(desired) == 36


def test_every_variable_shows_its_example(examples_page):
    page = examples_page.page
    assert page.locator(".msg .var.missing").count() == 0
    for template in load_paths([EXAMPLES]).templates:
        bubble = message(examples_page, *template.key)
        text = bubble.inner_text()
        assert "{{" not in text, (template.key, text)
        shown = bubble.locator(".var").all_inner_texts()
        for component in template.details_wire()["components"]:
            for example in component.get("examples") or []:
                assert example in shown, (template.key, example, shown)
            if component["type"] == "HEADER" and isinstance(component.get("example"), str):
                assert component["example"] in shown
    assert message(examples_page, "login_code", "DE").locator(".var").inner_text() == "123456"


def test_whatsapp_formatting_is_rendered(examples_page):
    bubble = message(examples_page, "spring_sale", "EN_US")
    style = "(e, p) => getComputedStyle(e).getPropertyValue(p)"
    bold = bubble.locator("strong", has_text="up to 30% off")
    assert int(bold.evaluate(style, "font-weight")) >= 600
    italic = bubble.locator("em", has_text="Sunday")
    assert italic.evaluate(style, "font-style") == "italic"
    strike = bubble.locator("s", has_text="Regular prices")
    assert "line-through" in strike.evaluate(style, "text-decoration-line")
    items = bubble.locator(".li").all_inner_texts()
    assert [item.split(maxsplit=1)[1] for item in items] == [
        "garden furniture",
        "plants",
        "outdoor lighting",
    ]
    assert all(item.startswith("•") for item in items)
    assert "*" not in bubble.inner_text() and "~" not in bubble.inner_text()
    # Meta's authentication body sets the code in bold.
    code = message(examples_page, "login_code", "EN_US").locator("strong .var")
    assert code.inner_text() == "123456"
    assert int(code.evaluate(style, "font-weight")) >= 600


def test_buttons_with_their_labels(examples_page):
    def buttons(name: str, language: str, where: str) -> list[str]:
        found = message(examples_page, name, language).locator(f"{where} .btn-label")
        return [label.strip() for label in found.all_inner_texts()]

    assert buttons("appointment_reminder", "EN_GB", ".ctas") == ["Call the clinic"]
    assert buttons("appointment_reminder", "EN_GB", ".quick-replies") == [
        "Confirm",
        "Reschedule",
    ]
    assert buttons("order_shipped", "EN_US", ".ctas") == ["Track package"]
    assert buttons("welcome_coupon", "EN_US", ".ctas") == ["Copy offer code"]
    assert buttons("login_code", "DE", ".ctas") == ["Code kopieren"]
    assert buttons("app_login_one_tap", "EN_US", ".ctas") == ["Autofill"]
    assert buttons("delivery_feedback", "EN_GB", ".ctas") == ["Rate the delivery"]
    assert buttons("repair_callback_request", "EN_US", ".ctas") == ["Share Contact Info"]
    assert buttons("payment_request", "PT_BR", ".ctas") == ["Review and pay"]
    # Each button has its icon; the URL button's target is named in its title.
    track = message(examples_page, "order_shipped", "EN_US").locator('.btn[data-type="URL"]')
    assert track.locator("svg").count() == 1
    assert track.get_attribute("title") == "https://example.com/track/{{1}}"


def test_carousel_cards_side_by_side_and_offer(examples_page):
    page = examples_page.page
    cards = page.locator(
        '.phone[data-template="summer_carousel"][data-language="EN_US"] .carousel .card'
    )
    assert cards.count() == 3
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert second["x"] > first["x"] + first["width"] - 1 and abs(second["y"] - first["y"]) < 1
    assert cards.nth(0).locator(".btn-label").all_inner_texts() == ["Tell me more", "Shop now"]
    offer = message(examples_page, "flash_sale_offer", "EN_US")
    assert offer.locator(".offer-text").inner_text() == "Flash sale"
    assert "flash-sale.png" in offer.locator(".media.image").inner_text()
    pin = message(examples_page, "store_pickup_ready", "EN_US").locator(".media.location")
    assert pin.count() == 1
    document = message(examples_page, "invoice_available", "DE").locator(".media.doc")
    assert "sample-invoice.pdf" in document.inner_text()


def test_arabic_is_right_to_left(examples_page):
    page = examples_page.page
    arabic = message(examples_page, "order_shipped", "AR")
    direction = "e => getComputedStyle(e).direction"
    assert arabic.locator(".body").evaluate(direction) == "rtl"
    assert (
        message(examples_page, "order_shipped", "EN_US").locator(".body").evaluate(direction)
        == "ltr"
    )
    # The incoming bubble sits at the right edge of the chat, as on an Arabic phone.
    wall = page.locator('.phone[data-language="AR"] .wall').bounding_box()
    bubble = arabic.locator(".bubble").bounding_box()
    assert bubble["x"] + bubble["width"] > wall["x"] + wall["width"] - 20
    assert bubble["x"] > wall["x"] + 20


def test_counts_and_clean_findings_next_to_each_message(examples_page):
    phone = examples_page.page.locator(
        '.phone[data-template="appointment_reminder"][data-language="EN_GB"]'
    )
    rows = phone.locator(".counts tr").all_inner_texts()
    assert any(row.startswith("body") and "188 / 1024" in row for row in rows), rows
    assert phone.locator(".clean").inner_text() == "No rule findings."


def test_nothing_is_requested_and_no_script_runs(examples_page, tmp_path):
    assert examples_page.outside_requests == []
    assert examples_page.blocked == []
    assert examples_page.dialogs == []
    shot = screenshot(examples_page, "preview-examples.png", tmp_path)
    assert shot.stat().st_size > 50_000


HOSTILE = """\
name: hostile_text
category: UTILITY
languages:
  en_US:
    details:
      components:
        - type: HEADER
          format: TEXT
          text: "<i>Header</i> {{1}}"
          example: "<b>bold?</b>"
        - type: BODY
          text: "Hi {{1}} <script>alert('body')</script> and <img src=x onerror=alert('img')> &amp; done"
          examples: ["<svg onload=alert('example')>"]
        - type: FOOTER
          text: "</div><script>alert('footer')</script>"
        - type: BUTTONS
          buttons:
            - type: QUICK_REPLY
              text: "<svg onload=alert(1)>"
"""


def test_hostile_text_is_shown_literally_and_never_run(browser, tmp_path):  # noqa: F811
    source = tmp_path / "templates"
    source.mkdir()
    (source / "hostile_text.yaml").write_text(HOSTILE)
    opened = open_page(browser, write_preview(tmp_path, str(source)))
    try:
        bubble = message(opened, "hostile_text", "EN_US")
        text = bubble.inner_text()
        assert "<script>alert('body')</script>" in text
        assert "<img src=x onerror=alert('img')>" in text
        assert "&amp; done" in text
        assert "<svg onload=alert('example')>" in text
        assert "<i>Header</i> <b>bold?</b>" in text
        assert "</div><script>alert('footer')</script>" in text
        assert "<svg onload=alert(1)>" in text
        assert opened.page.locator("script, img, iframe, object, embed").count() == 0
        assert bubble.locator("i, b").count() == 0
        assert opened.dialogs == []
        assert opened.outside_requests == [] and opened.blocked == []
    finally:
        opened.page.context.close()


def test_load_media_is_the_only_way_to_fetch(browser, tmp_path):  # noqa: F811
    """The request check is real: with --load-media the page asks for the image samples."""
    opened = open_page(
        browser, write_preview(tmp_path, str(EXAMPLES / "spring_sale.yaml"), "--load-media")
    )
    try:
        assert "https://example.com/media/spring-sale-en.jpg" in opened.blocked
    finally:
        opened.page.context.close()
