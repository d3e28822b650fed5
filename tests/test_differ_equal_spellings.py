"""Equal templates never show a diff, however either side spells them.

The desired side is every example template (every component and button type) rewritten the way
a user might: Meta's language spelling, ``examples: [x]`` for single samples, components in
reverse order, keys shuffled, default-valued flags written out, ``5000.0`` for ``5000``, decimal
strings with trailing zeros. The remote side is what the emulator stores for the original files,
rewritten the way an API might answer: floats, ``examples: [x]``, explicit nulls, components
in another order, lower-case language codes. Loaded, fetched and diffed for real; the plan
must be empty.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import yaml

from waform.differ import diff
from waform.emulator.records import output_details
from waform.loader import load_paths
from waform.model.remote import RemoteTemplate
from waform.model.template import TemplateFile
from waform.normalize import canonical_details

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "templates"
DEFAULT_FALSE = ("addSecurityRecommendation", "hasExpiration", "zeroTapTermsAccepted")


def _walk(value: Any, change: Any) -> Any:
    if isinstance(value, dict):
        return change({k: _walk(v, change) for k, v in value.items()})
    if isinstance(value, list):
        return change([_walk(v, change) for v in value])
    return change(value)


def _user_spelling(rng: random.Random) -> Any:
    def change(value: Any) -> Any:
        if isinstance(value, dict):
            value = dict(value)
            kind = value.get("type")
            if "example" in value and kind != "BODY":
                value["examples"] = [value.pop("example")]
            if kind == "BODY" and "text" not in value:
                value.setdefault("addSecurityRecommendation", False)
            if kind == "LIMITED_TIME_OFFER":
                value.setdefault("hasExpiration", False)
            if kind == "OTP" and value.get("otpType") != "ZERO_TAP":
                value.setdefault("zeroTapTermsAccepted", False)
            if "components" in value:
                value["components"] = value["components"][::-1]
            if "bidAmount" in value:
                value["bidAmount"] = float(value["bidAmount"])
            if "bidCountryMultiplierOverrides" in value:
                value["bidCountryMultiplierOverrides"] = {
                    k: v + "0" if "." in v else v + ".00"
                    for k, v in value["bidCountryMultiplierOverrides"].items()
                }
            items = list(value.items())
            rng.shuffle(items)
            return dict(items)
        return value

    return change


def _api_spelling(value: Any) -> Any:
    if isinstance(value, dict):
        value = dict(value)
        kind = value.get("type")
        if "example" in value and kind != "BODY":
            value["examples"] = [value.pop("example")]
        if kind == "FOOTER":
            value.setdefault("codeExpirationMinutes", None)
        if "components" in value:
            value["components"] = value["components"][1:] + value["components"][:1]
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _meta_code(code: str) -> str:
    head, _, tail = code.partition("_")
    return head.lower() + (f"_{tail}" if tail else "")


def test_every_example_template_respelled_on_both_sides_plans_to_nothing(tmp_path: Path) -> None:
    rng = random.Random(7)
    for source in sorted(EXAMPLES.glob("*.yaml")):
        data = yaml.safe_load(source.read_text())
        data["languages"] = {
            _meta_code(code.upper()): _walk(entry, _user_spelling(rng))
            for code, entry in data["languages"].items()
        }
        (tmp_path / source.name).write_text(yaml.safe_dump(data, allow_unicode=True))
    loaded = load_paths([tmp_path])
    assert loaded.ok, loaded.diagnostics

    original = load_paths([EXAMPLES])
    remote = [
        RemoteTemplate.model_validate(
            {
                "name": d.name,
                "language": d.language.lower(),
                "category": d.category,
                "state": "APPROVED",
                "details": _walk(output_details(d.details.to_wire()), _api_spelling),
            }
        )
        for d in original.templates
    ]
    plan = diff(loaded.templates, remote)
    assert len(loaded.templates) == len(remote) > 30
    assert not plan.has_changes, [(a.name, a.language, a.changes) for a in plan.actions]
    assert plan.summary.noop == len(remote)


def test_default_false_flags_equal_absent_ones() -> None:
    """``false`` is the documented (or only meaningful) default of these flags."""
    button = {"type": "OTP", "otpType": "ONE_TAP", "text": "Copy code", "autofillText": "Fill"}
    file = TemplateFile.model_validate(
        {
            "name": "login",
            "category": "AUTHENTICATION",
            "languages": {
                "EN_US": {
                    "details": {
                        "components": [
                            {"type": "BODY"},
                            {"type": "BUTTONS", "buttons": [button]},
                        ]
                    }
                }
            },
        }
    )
    [desired] = file.desired("login.yaml")
    for flag in DEFAULT_FALSE:
        explicit = copy.deepcopy(desired.details.to_wire())
        target = explicit["components"][1]["buttons"][0]
        if flag == "addSecurityRecommendation":
            target = explicit["components"][0]
        target[flag] = False
        assert canonical_details(explicit, category="AUTHENTICATION") == canonical_details(
            desired.details, category="AUTHENTICATION"
        ), flag
