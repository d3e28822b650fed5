"""The output examples of the README's reference sections are what waform prints.

Each such example is a ``console`` block right under a marker ``<!-- example: NAME -->``; NAME
is one of the scenarios below, which builds what the example's text describes (template files,
and the emulator's state through its API and control API, as a user and Meta would). Then each
``$ command`` of the block runs, in order, and its output is compared with the lines under it,
normalised as the quickstart's are (``readme_support``). Every ``console`` or ``text`` block of
the README outside the quickstart must carry such a marker, so no output example goes untested.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import readme_support as readme
from apply_support import PROJECT, Project, template_yaml

# ---------------------------------------------------------------------------- the scenarios

ORDER_SHIPPED_LIVE = """\
name: order_shipped
category: UTILITY
languages:
  en_US:
    details:
      components:
        - type: BODY
          text: "Hi {{1}}, your order {{2}} is on its way."
          examples: ["Anna", "A-1042"]
"""

#: order_shipped's German translation (the README's YAML-format example).
GERMAN = """\
  DE:
    details:
      components:
        - type: BODY
          text: "Hallo {{1}}, deine Bestellung {{2}} ist unterwegs und kommt in zwei Tagen."
          examples: ["Anna", "A-1042"]
"""

#: order_shipped's edit: new words, a footer and the German translation.
ORDER_SHIPPED_EDITED = (
    ORDER_SHIPPED_LIVE.replace("is on its way.", "has shipped and will arrive in two days.")
    + '        - type: FOOTER\n          text: "Thanks for shopping with us"\n'
    + GERMAN
)

CHAT_WITH_AGENT = """\
# yaml-language-server: $schema=../schemas/template.schema.json
name: chat_with_agent
category: UTILITY
languages:
  en_US:
    details:
      components:
        - type: BODY
          text: "{{1}}, an agent is ready to chat with you about your order {{2}}."
          examples: ["Anna", "A-1042"]
        - type: BUTTONS
          buttons:
            - type: URL
              text: "Chat with an agent"
              url: "https://wa.me/15550001234"
"""


def welcome_coupon(percent: int) -> str:
    return textwrap.dedent(
        f"""\
        name: welcome_coupon
        category: MARKETING
        languages:
          en_US:
            details:
              components:
                - type: BODY
                  text: "Welcome, {{{{1}}}}! Use code {{{{2}}}} for {percent}% off your first order."
                  examples: ["Anna", "WELCOME"]
        """
    )


OLD_PROMO = template_yaml(
    "old_promo",
    category="MARKETING",
    text="Complete order {{1}} by {{2}} and your next delivery is free.",
)

#: Templates nobody touches in these scenarios (the plan's "unchanged").
QUIET = {
    "appointment_reminder": ("de", "en_GB"),
    "delivery_feedback": ("de", "en_GB"),
    "invoice_available": ("de", "en_US"),
    "payment_request": ("en_US", "pt_BR"),
    "store_pickup_ready": ("en_US", "pt_BR"),
}


def spring_sale(*languages: str, draft: bool = True) -> str:
    """spring_sale in ``languages``; its en_US says ``status: draft`` unless ``draft=False``."""
    text = template_yaml("spring_sale", category="MARKETING", languages=languages)
    return text.replace("  en_US:\n", "  en_US:\n    status: draft\n", 1) if draft else text


class Repo(Project):
    """A repository (``templates/``, ``waform.yaml`` with ``prune: true``) on the emulator,
    as ``apply_support`` builds it; reviews end only when a scenario says so."""

    def put(self, name: str, text: str) -> None:
        (self.templates / f"{name}.yaml").write_text(text, encoding="utf-8")

    def remove(self, name: str) -> None:
        (self.templates / f"{name}.yaml").unlink()

    def applied(self, *, approve: bool = True) -> None:
        """``waform apply templates --auto-approve``, then Meta approves what it submitted."""
        result = self.run("apply", "templates", "--auto-approve")
        assert result.exit_code == 0, result.output
        if approve:
            self.control.complete_reviews(PROJECT, outcome="APPROVED")

    def live(self) -> None:
        """What the team had applied and Meta approved before the changes the examples show:
        order_shipped/EN_US, spring_sale (EN_US a draft), welcome_coupon, old_promo and
        ten quiet template-languages."""
        self.put("order_shipped", ORDER_SHIPPED_LIVE)
        self.put("spring_sale", spring_sale("en_US", "es_MX"))
        self.put("welcome_coupon", welcome_coupon(10))
        self.put("old_promo", OLD_PROMO)
        for name, languages in QUIET.items():
            self.put(name, template_yaml(name, languages=languages))
        self.applied()


def edited(repo: Repo) -> None:
    """The files after the changes both `apply` examples apply: order_shipped gains a footer,
    new words and a German translation, old_promo's file is gone (prune), and spring_sale's
    French comes back, a week after a plan deleted it; then the plan is saved."""
    repo.live()
    repo.put("spring_sale", spring_sale("en_US", "es_MX", "fr"))
    repo.applied()
    repo.put("spring_sale", spring_sale("en_US", "es_MX"))
    repo.applied()
    repo.control.advance(days=7)
    repo.put("order_shipped", ORDER_SHIPPED_EDITED)
    repo.put("spring_sale", spring_sale("en_US", "es_MX", "fr"))
    repo.remove("old_promo")
    saved = repo.run("plan", "templates", "--out", "plan.json")
    assert saved.exit_code == 0, saved.output


def apply_mixed(repo: Repo) -> None:
    """The saved plan is applied; the answer to the PATCH is lost on the way back."""
    edited(repo)
    repo.control.set_faults(script=["drop"], methods=["PATCH"])


def apply_stale(repo: Repo) -> None:
    """After the plan was saved, Meta paused old_promo and someone edited the German text."""
    edited(repo)
    repo.control.set_state(PROJECT, "old_promo", "EN_US", "PAUSED")
    order_shipped = repo.templates / "order_shipped.yaml"
    text = order_shipped.read_text(encoding="utf-8")
    order_shipped.write_text(text.replace("in zwei Tagen", "in 2 Tagen"), encoding="utf-8")


#: order_shipped/EN_US as someone edited it in the dashboard.
ORDER_SHIPPED_DASHBOARD = {
    "components": [
        {
            "type": "BODY",
            "text": "Hi {{1}}, your order {{2}} is on its way to you.",
            "examples": ["Anna", "A-1042"],
        }
    ]
}


def drift_findings(repo: Repo) -> None:
    """`waform drift`'s example: order_shipped's English was edited in the dashboard and
    approved, its German (in git) was never applied, Meta paused welcome_coupon and rated
    payment_request's Portuguese red, and old_promo's file was deleted."""
    repo.live()
    edit = {"status": "SUBMIT", "details": ORDER_SHIPPED_DASHBOARD}
    repo.api("PATCH", "/order_shipped/languages/EN_US", json=edit)
    repo.control.complete_reviews(PROJECT, outcome="APPROVED")
    repo.control.set_state(PROJECT, "welcome_coupon", "EN_US", "PAUSED")
    repo.control.set_quality(PROJECT, "payment_request", "PT_BR", "QUALITY_SCORE_RED")
    repo.put("order_shipped", ORDER_SHIPPED_LIVE + GERMAN)
    repo.remove("old_promo")


def import_unmanaged(repo: Repo) -> None:
    """`waform import`'s example: old_promo is at the target, its file was deleted."""
    repo.live()
    repo.remove("old_promo")


def rules_findings(repo: Repo) -> None:
    """A body that starts with a variable and a URL button to wa.me (`waform rules`)."""
    repo.put("chat_with_agent", CHAT_WITH_AGENT)


def plan_mixed(repo: Repo) -> None:
    """The plan of `waform plan`'s reference: one of each kind of change, and a blocked one.

    order_shipped gains a footer, new words and a German translation; spring_sale's English
    draft, unchanged, is to be submitted; old_promo's file is gone (prune); welcome_coupon's
    English edit is still under Meta's review when the file changes again.
    """
    repo.live()
    repo.put("welcome_coupon", welcome_coupon(15))
    repo.applied(approve=False)
    repo.put("welcome_coupon", welcome_coupon(20))
    repo.put("order_shipped", ORDER_SHIPPED_EDITED)
    repo.put("spring_sale", spring_sale("en_US", "es_MX", draft=False))
    repo.remove("old_promo")


#: Scenario name → what it does to a fresh repository before the block's commands run.
SCENARIOS: dict[str, Callable[[Repo], None]] = {
    "apply-mixed": apply_mixed,
    "apply-stale": apply_stale,
    "drift-findings": drift_findings,
    "import-unmanaged": import_unmanaged,
    "plan-mixed": plan_mixed,
    "rules-findings": rules_findings,
}
#: Examples run in the checkout itself (their paths are the repository's own files).
IN_CHECKOUT = {"validate-one-broken"}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    readme.reader_environment(monkeypatch, tmp_path)
    repo = Repo(tmp_path, prune=True)
    yield repo
    repo.close()


def examples() -> dict[str, list[readme.Shown]]:
    return readme.marked_examples(readme.README.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_example_shows_what_waform_prints(name: str, repo: Repo) -> None:
    SCENARIOS[name](repo)
    for example in examples()[name]:
        readme.assert_shows(example, repo.root)


@pytest.mark.parametrize("name", sorted(IN_CHECKOUT))
def test_the_checkout_example_shows_what_waform_prints(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme.reader_environment(monkeypatch, readme.REPO)
    for example in examples()[name]:
        readme.assert_shows(example, readme.REPO)


def test_every_output_example_is_marked_and_has_its_scenario() -> None:
    text = readme.README.read_text(encoding="utf-8")
    assert readme.unmarked_outputs(text) == [], "README lines of output blocks without a marker"
    assert set(readme.marked_examples(text)) == set(SCENARIOS) | IN_CHECKOUT


def test_a_drifted_example_fails() -> None:
    """A marked block is found, and a changed word in it no longer matches the output."""
    text = textwrap.dedent(
        """\
        x

        <!-- example: version -->
        ```console
        $ waform --version
        waform 0.0
        ```

        ```text
        not marked
        ```
        """
    )
    (example,) = readme.marked_examples(text)["version"]
    assert (example.command, example.line) == ("waform --version", 5)
    with pytest.raises(AssertionError, match=r"README.md:5: `waform --version` prints"):
        readme.assert_shows(example, Path.cwd())
    assert readme.unmarked_outputs("<!-- quickstart -->\n## Commands\n" + text) == [11]
