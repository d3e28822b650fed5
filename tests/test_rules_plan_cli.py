"""`waform plan` runs Meta's rules first: file rules refuse, plan-time rules see the target.

Real CLI, embedded emulator (state in a temporary directory), remote templates seeded through
the emulator's control API the way WhatsApp Manager or Meta would change them. (A category change
of an approved template, WA-C2, is shown by the plan itself as a blocked action.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from waform.cli import cli
from waform.emulator.transport import EMBEDDED_BASE_URL, SyncEmbeddedTransport

PROJECT = "local"
ORDER = """\
name: order_ready
category: UTILITY
languages:
  en_US:
    details:
      components:
        - type: BODY
          text: "{body}"
          examples: ["Anna", "A-1042"]
"""
GOOD_BODY = "Hi {{1}}, your order {{2}} is ready for pickup at our Main Street store today."


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[tuple[Path, httpx.Client]]:
    (tmp_path / "waform.yaml").write_text(
        "targets:\n  local: {type: local, state: state.sqlite3}\n", encoding="utf-8"
    )
    templates = tmp_path / "templates"
    templates.mkdir()
    transport = SyncEmbeddedTransport.open(tmp_path / "state.sqlite3")
    http = httpx.Client(transport=transport, base_url=EMBEDDED_BASE_URL, auth=("local", "local"))
    try:
        yield templates, http
    finally:
        http.close()
        transport.close()


def _seed(http: httpx.Client, name: str, category: str, body: str, **extra: Any) -> None:
    details = {"components": [{"type": "BODY", "text": body, "examples": ["Anna", "A-1042"]}]}
    response = http.post(
        f"/_emulator/projects/{PROJECT}/templates",
        json={
            "name": name,
            "language": "EN_US",
            "category": category,
            "details": details,
            "state": "APPROVED",
            **extra,
        },  # fmt: skip
    )
    assert response.status_code < 300, response.text


def _plan(templates: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["plan", str(templates), *args], catch_exceptions=False)


def test_plan_refuses_a_file_that_breaks_an_error_rule(repo) -> None:  # noqa: ANN001
    templates, http = repo
    path = templates / "order_ready.yaml"
    path.write_text(ORDER.format(body="{{1}}, order {{2}} is ready at the Main Street store."))
    result = _plan(templates)
    assert result.exit_code == 1
    assert "order_ready.yaml:8:17:" in result.output and "[WA-V7]" in result.output
    assert "Traceback" not in result.output


def test_plan_shows_rule_warnings_and_fails_on_them_only_when_strict(repo) -> None:  # noqa: ANN001
    templates, _ = repo
    (templates / "order_ready.yaml").write_text(ORDER.format(body="Hi {{1}}, order {{2}} ready."))
    relaxed = _plan(templates)
    assert relaxed.exit_code == 0, relaxed.output
    assert "[WA-V9]" in relaxed.output and "order_ready" in relaxed.output
    strict = _plan(templates, "--strict")
    assert strict.exit_code == 1 and "[WA-V9]" in strict.output


def test_plan_strict_refuses_a_loader_warning_as_validate_strict_does(repo) -> None:  # noqa: ANN001
    """One pipeline: the file-name warning fails ``plan --strict`` and ``validate --strict``."""
    templates, _ = repo
    (templates / "renamed.yaml").write_text(ORDER.format(body=GOOD_BODY))
    assert _plan(templates).exit_code == 0
    for command in ("plan", "validate"):
        result = CliRunner().invoke(cli, [command, str(templates), "--strict"])
        assert result.exit_code == 1, (command, result.output)
        assert "renamed.yaml:1:7: file name 'renamed.yaml' does not match" in result.output


def test_plan_warns_about_the_same_text_as_an_unmanaged_template(repo) -> None:  # noqa: ANN001
    templates, http = repo
    _seed(http, "order_ready_legacy", "UTILITY", GOOD_BODY)
    (templates / "order_ready.yaml").write_text(ORDER.format(body=GOOD_BODY))
    result = _plan(templates)
    assert result.exit_code == 0, result.output
    assert "[WA-LC8]" in result.output and "order_ready_legacy" in result.output


def test_plan_compares_wording_with_templates_outside_the_scope_too(repo) -> None:  # noqa: ANN001
    # Meta rejects duplicate wording against *any* template of the WABA, managed or not. (With
    # two globs the fetch is a full sweep; a single-prefix scope fetches only that prefix.)
    templates, http = repo
    config = templates.parent / "waform.yaml"
    scope = "scope: {include: ['order_*', 'shop_*']}\n"
    config.write_text(config.read_text() + scope, encoding="utf-8")
    _seed(http, "legacy_pickup", "UTILITY", GOOD_BODY)
    (templates / "order_ready.yaml").write_text(ORDER.format(body=GOOD_BODY))
    result = _plan(templates)
    assert result.exit_code == 0, result.output
    assert "[WA-LC8]" in result.output and "legacy_pickup" in result.output


def test_a_template_silences_a_plan_time_rule_with_a_reason(repo) -> None:  # noqa: ANN001
    """`# waform: ignore WA-LC8 <why>` silences the plan-time duplicate check as it does the
    per-file rules: listed as silenced (with the reason), failing nothing, even under --strict."""
    templates, http = repo
    _seed(http, "order_ready_legacy", "UTILITY", GOOD_BODY)
    path = templates / "order_ready.yaml"
    path.write_text(ORDER.format(body=GOOD_BODY), encoding="utf-8")
    assert _plan(templates, "--strict").exit_code == 1  # the warning is an error when strict
    path.write_text(
        "# waform: ignore WA-LC8 order_ready_legacy is deleted in the next release\n"
        + ORDER.format(body=GOOD_BODY),
        encoding="utf-8",
    )
    for args in ((), ("--strict",)):
        result = _plan(templates, *args)
        assert result.exit_code == 0, result.output
        [line] = [line for line in result.stderr.splitlines() if "WA-LC8" in line]
        assert line.startswith(f"{path}:5:3: silenced: reword the body or footer of order_ready")
        assert line.endswith("[WA-LC8] (reason: order_ready_legacy is deleted in the next release)")
        assert "+ order_ready" in result.stdout


def test_the_ignore_key_silences_the_template_limit(repo) -> None:  # noqa: ANN001
    templates, http = repo
    for i in range(250):
        _seed(
            http,
            f"existing_{i}",
            "UTILITY",
            f"Existing template number {i} for {{{{1}}}}, ref {{{{2}}}} here.",
        )
    path = templates / "order_ready.yaml"
    path.write_text(ORDER.format(body=GOOD_BODY), encoding="utf-8")
    warned = _plan(templates)
    assert warned.exit_code == 0 and "warning: creating order_ready (EN_US)" in warned.stderr
    path.write_text(
        ORDER.format(body=GOOD_BODY)
        + 'ignore:\n  WA-LC4: "the business is verified: 6,000 templates"\n',
        encoding="utf-8",
    )
    result = _plan(templates, "--strict")
    assert result.exit_code == 0, result.output
    assert "warning:" not in result.stderr
    assert (
        f"{path}:4:3: silenced: creating order_ready (EN_US) takes the project past 250"
    ) in result.stderr
    assert "(reason: the business is verified: 6,000 templates)" in result.stderr


def test_a_refused_plan_lists_what_was_silenced_beside_the_error(repo) -> None:  # noqa: ANN001
    """A plan-time error still refuses the plan; what another template silenced is listed."""
    templates, http = repo
    other_body = "Hi {{1}}, your parcel {{2}} waits at the Main Street store until Friday."
    _seed(http, "order_ready_legacy", "UTILITY", GOOD_BODY)
    _seed(http, "parcel_waiting_legacy", "UTILITY", other_body)
    silenced = templates / "order_ready.yaml"
    silenced.write_text(
        "# waform: ignore WA-LC8 legacy copy\n" + ORDER.format(body=GOOD_BODY), encoding="utf-8"
    )
    refused = templates / "parcel_waiting.yaml"
    refused.write_text(
        ORDER.format(body=other_body).replace("order_ready", "parcel_waiting")
        + "rules: {WA-LC8: error}\n",
        encoding="utf-8",
    )
    result = _plan(templates)
    assert result.exit_code == 1, result.output
    assert f"{refused}:4:3: reword the body or footer of parcel_waiting" in result.stderr
    assert f"{silenced}:5:3: silenced: reword" in result.stderr
    assert "[WA-LC8] (reason: legacy copy)" in result.stderr
    assert "plan-time rules" in result.stderr and "Traceback" not in result.output
