"""Validate requests and responses against Sinch's OpenAPI file (``../shared/reference``).

Usage (any test module)::

    from openapi_contract import require_contract

    contract = require_contract()            # pytest.skip when ../shared is absent
    contract.check_response("GET", "/v1/projects/p/whatsapp/templates", 200, body)
    contract.check_request("POST", "/v1/projects/p/whatsapp/templates", body)
    errors = contract.response_errors(...)   # the same, as a list of messages
    contract.check_callback("WHATSAPP_TEMPLATE_APPROVED", body)
    hook = contract.httpx_hook()             # httpx event hook: validates every response
                                             # (emulator-injected faults: PAPI body only)

Paths are concrete (``/v1/projects/p1/whatsapp/templates/x/languages/EN``); the matching
operation is found by the path templates. Bodies are parsed JSON (``None`` for no body).

Repairs applied in memory to the spec before validating (Sinch's file, version 1.2.117):

1. **Malformed ``examples``.** Twelve schema properties are written
   ``examples: [ {schema} ]`` (a list holding a schema) while their ``required`` lists and the
   API reference use ``example`` (singular). Each becomes ``example: {schema}`` plus
   ``examples: {type: array, items: {schema}}`` so both spellings validate (see the reference
   README).
2. **oneOf of overlapping DTOs.** The 200 responses of list / list-by-name / get are
   ``oneOf [FullDto, PartialDto]`` and ``WhatsappPartialTemplateChangesDto.details`` is
   ``oneOf`` of two overlapping schemas: a full DTO also satisfies the partial one (nothing
   required there), so ``oneOf`` could never pass. They are read as ``anyOf``.
3. **additionalInformation** is typed "map of string arrays", but Sinch's own examples put
   strings and objects there (``supportedCodes: "AF, AR, …"``, ``metaError: {…}``); it is read
   as free-form JSON, as the reference README advises.
4. **Nullable with allOf.** ``type: [object, "null"]`` next to an ``allOf`` ``$ref`` (PATCH
   ``optimization``) can never accept ``null`` because the referenced schema says
   ``type: object``; it becomes ``anyOf [{type: "null"}, {allOf: …}]``.

``strict=True`` (the default) also adds ``unevaluatedProperties: false`` to every object schema
with ``properties``, so a misspelt or invented field fails validation (Sinch's schemas otherwise
accept any extra key).
"""

from __future__ import annotations

import copy
import functools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

REFERENCE = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference"
SPEC_PATH = REFERENCE / "sinch-whatsapp-templates-openapi.yml"

_MALFORMED_EXAMPLES = (
    "WhatsappTextHeaderComponentInputDto",
    "WhatsappMediaHeaderComponentInputDto",
    "WhatsappMediaHeaderComponentDto",
    "WhatsappPartialMediaHeaderComponentDto",
    "WhatsappInputCardHeaderComponentDto",
    "WhatsappCardHeaderComponentDto",
    "WhatsappPartialCardHeaderComponentDto",
    "WhatsappUrlButtonInputDto",
    "WhatsappUrlButtonDto",
    "WhatsappPartialUrlButtonDto",
    "WhatsappCopyCodeButtonInputDto",
    "WhatsappCopyCodeButtonDto",
)


def spec_available() -> bool:
    return SPEC_PATH.is_file()


def require_contract(*, strict: bool = True) -> OpenApiContract:
    """The contract, or ``pytest.skip`` when the reference directory is not there."""
    if not spec_available():
        pytest.skip(f"OpenAPI reference not available at {SPEC_PATH}")
    return _contract(strict)


@functools.cache
def _contract(strict: bool) -> OpenApiContract:
    with SPEC_PATH.open(encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    return OpenApiContract(repair(spec, strict=strict))


def repair(spec: dict[str, Any], *, strict: bool = True) -> dict[str, Any]:
    """Apply the documented repairs (module docstring) to a copy of ``spec``."""
    spec = copy.deepcopy(spec)
    schemas = spec["components"]["schemas"]
    fixed = 0
    for name in _MALFORMED_EXAMPLES:
        props = schemas[name]["properties"]
        value = props.get("examples")
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
            props["example"] = value[0]
            props["examples"] = {"type": "array", "items": value[0]}
            fixed += 1
    assert fixed == len(_MALFORMED_EXAMPLES), f"expected 12 malformed examples, fixed {fixed}"
    # any other list-valued property schema would be the same bug
    for name, schema in schemas.items():
        for prop, value in (schema.get("properties") or {}).items():
            assert not isinstance(value, list), f"unexpected malformed {name}.{prop}"

    papi = schemas["WhatsappPapiErrorDto"]["properties"]
    papi["additionalInformation"] = {"type": "object"}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            node = {k: walk(v) for k, v in node.items()}
            if "oneOf" in node and all(isinstance(o, dict) and "$ref" in o for o in node["oneOf"]):
                if len(node["oneOf"]) > 1:
                    node["anyOf"] = node.pop("oneOf")
            kind = node.get("type")
            if isinstance(kind, list) and "null" in kind and "allOf" in node:
                rest = {k: v for k, v in node.items() if k not in ("type", "allOf")}
                node = {
                    **rest,
                    "anyOf": [{"type": "null"}, {"allOf": node["allOf"]}],
                }
            if strict and node.get("type") == "object" and "properties" in node:
                node.setdefault("unevaluatedProperties", False)
            return node
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    spec["components"] = walk(spec["components"])
    spec["paths"] = walk(spec["paths"])
    return spec


class ContractError(AssertionError):
    pass


class OpenApiContract:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self._paths: list[tuple[re.Pattern[str], str]] = []
        for template in spec["paths"]:
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            self._paths.append((re.compile(pattern), template))
        # literal segments beat parameters: /templates/sync before /templates/{templateName}
        self._paths.sort(key=lambda item: item[1].count("{"))

    # ------------------------------------------------------------------ lookup

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]]:
        path = path.split("?", 1)[0]
        for pattern, template in self._paths:
            if pattern.match(path):
                op = self.spec["paths"][template].get(method.lower())
                if op is not None:
                    return template, op
        raise ContractError(f"{method} {path}: no such operation in the OpenAPI file")

    def documents(self, method: str, path: str) -> bool:
        """Whether the file has an operation for ``method`` on this concrete path."""
        try:
            self.operation(method, path)
        except ContractError:
            return False
        return True

    def schema(self, name: str) -> dict[str, Any]:
        return self.spec["components"]["schemas"][name]

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one contract per process
    def _validator(self, key: str) -> jsonschema.Draft202012Validator:
        schema = json.loads(key)
        schema = {**schema, "components": self.spec["components"]}
        return jsonschema.Draft202012Validator(schema)

    def _errors(self, schema: dict[str, Any], instance: Any) -> list[str]:
        validator = self._validator(json.dumps(schema, sort_keys=True))
        out = []
        for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.path)):
            # for anyOf failures, report the closest branch's problem, not "valid under none"
            while error.context:
                error = jsonschema.exceptions.best_match(error.context)
            where = "/".join(str(p) for p in error.absolute_path) or "<root>"
            out.append(f"{where}: {error.message[:300]}")
        return out

    # ------------------------------------------------------------------ checks

    def response_errors(self, method: str, path: str, status: int, body: Any) -> list[str]:
        template, op = self.operation(method, path)
        responses = op["responses"]
        spec = responses.get(str(status))
        if spec is None:
            return [f"{method} {template}: status {status} is not documented"]
        content = spec.get("content")
        if content is None:
            return [] if body in (None, b"", "") else [f"{status} must have no body, got {body!r}"]
        schema = content.get("application/json", {}).get("schema")
        if schema is None:
            return []
        return self._errors(schema, body)

    def request_errors(self, method: str, path: str, body: Any) -> list[str]:
        _, op = self.operation(method, path)
        content = (op.get("requestBody") or {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        if schema is None:
            return [] if body is None else ["operation takes no body"]
        return self._errors(schema, body)

    def callback_errors(self, event_type: str, body: Any) -> list[str]:
        schema = self.callback_schema(event_type)
        return self._errors(schema, body)

    def callback_schema(self, event_type: str) -> dict[str, Any]:
        for item in self.spec["paths"].values():
            for op in item.values():
                for callback in (op.get("callbacks") or {}).values():
                    for expression in callback.values():
                        body = expression["post"]["requestBody"]["content"]["application/json"]
                        described = body["schema"]["properties"]["type"].get("description", "")
                        if re.search(rf"\b{event_type}\b", described):
                            # Sinch's DELETED schema declares only `type` while its example
                            # carries `payload`: callback bodies stay open at the top level
                            # (their `payload` is still a strict WhatsappTemplateDto).
                            return {
                                k: v
                                for k, v in body["schema"].items()
                                if k != "unevaluatedProperties"
                            }
        raise ContractError(f"no callback schema for {event_type}")

    def check_response(self, method: str, path: str, status: int, body: Any) -> None:
        errors = self.response_errors(method, path, status, body)
        if errors:
            raise ContractError(f"{method} {path} → {status}: " + "; ".join(errors[:10]))

    def check_request(self, method: str, path: str, body: Any) -> None:
        errors = self.request_errors(method, path, body)
        if errors:
            raise ContractError(f"{method} {path} request: " + "; ".join(errors[:10]))

    def check_callback(self, event_type: str, body: Any) -> None:
        errors = self.callback_errors(event_type, body)
        if errors:
            raise ContractError(f"callback {event_type}: " + "; ".join(errors[:10]))

    def _check_seen(self, response: Any) -> None:
        body = response.json() if response.content else None
        if response.headers.get("x-emulator-fault"):
            # injected by the emulator's fault API: any status, but still a PAPI error body
            errors = self._errors({"$ref": "#/components/schemas/WhatsappPapiErrorDto"}, body)
            if errors:
                raise ContractError(f"injected {response.status_code}: " + "; ".join(errors))
            return
        self.check_response(
            response.request.method, response.request.url.path, response.status_code, body
        )

    def httpx_hook(self) -> Any:
        """An httpx ``response`` event hook validating every Sinch-API response it sees
        (``/v1/projects/…/whatsapp/templates…`` only; other paths are not in this file)."""

        def hook(response: Any) -> None:
            path = response.request.url.path
            if "/whatsapp/templates" not in path:
                return
            if not self.documents(response.request.method, path):
                return  # e.g. a 405 test on a method Sinch does not have
            response.read()
            self._check_seen(response)

        return hook

    def httpx_async_hook(self) -> Any:
        """The same for ``httpx.AsyncClient``."""

        async def hook(response: Any) -> None:
            path = response.request.url.path
            if "/whatsapp/templates" not in path or not self.documents(
                response.request.method, path
            ):
                return
            await response.aread()
            self._check_seen(response)

        return hook
