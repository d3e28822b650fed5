"""Canonical forms of template content, so that equal templates never show a diff.

Git and Sinch spell the same content differently: ``examples: ["x"]`` vs ``example: "x"`` for
single-sample fields, ``5`` vs ``5.0``, default-valued flags written out or left away, fields in
any order, the optimisation strategy's input vs output spelling. :func:`canonical_details` maps
either side to one form; two templates are equal exactly when their canonical forms are equal, so
the differ can decide equality with one ``==`` and call deepdiff only where content differs.

Canonicalisation rules (documented in the README, "plan"):

* dictionary keys are compared unordered (and serialised sorted); ``components`` (and each carousel
  card's ``components``) are ordered by type — each type occurs at most once, and Meta renders
  them in a fixed order, so their order carries no meaning. Buttons and cards keep their order.
* ``examples: [x]`` on anything but a ``BODY`` → ``example: x`` (see :mod:`waform.model.wire`).
* ``None``, ``""``, ``[]`` and ``{}`` values are dropped (an empty optional field ≡ an absent one).
* flags whose default is ``false`` are dropped when false: ``addSecurityRecommendation``,
  ``hasExpiration``, ``zeroTapTermsAccepted``.
* ``text`` of ``COPY_CODE``, ``REQUEST_CONTACT_INFO`` and ``ORDER_DETAILS`` buttons is dropped: the
  input schema has no such field, responses fill in a label.
* integral floats become ints (``5.0`` → ``5``); decimal strings in
  ``optimization.bidCountryMultiplierOverrides`` lose trailing zeros (``"1.50"`` → ``"1.5"``).
* ``optimization.bidStrategy``: the response spelling ``BID_STRATEGY_LOWEST_COST_WITH_BID_CAP``
  becomes the input spelling ``LOWEST_COST_WITH_BID_CAP``.
* ``messageSendTtlSeconds`` equal to the category's default is dropped (AUTHENTICATION 600 s,
  MARKETING and UTILITY 30 days; ``-1`` means 30 days). For AUTHENTICATION, 30 days is also
  dropped: it is the default of templates created before 2024-10-23 and lies outside the range a
  file may state, so keeping it would show a diff nobody can resolve. A file that leaves the TTL
  out therefore matches a remote template that reports the default, and vice versa.
* ``ignore.fields`` paths (``waform.yaml``) are removed from both sides, after the rules above
  (so ``components[*].example`` also covers ``examples: [x]``, and an index counts components in
  the canonical order).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from waform.fields import stable_remote
from waform.model import wire
from waform.model.components import TemplateDetails

#: Render order of component types (each type appears at most once per template or card).
COMPONENT_ORDER: dict[str, int] = {
    "HEADER": 0,
    "LIMITED_TIME_OFFER": 1,
    "BODY": 2,
    "FOOTER": 3,
    "BUTTONS": 4,
    "CAROUSEL": 5,
}
#: Boolean fields whose default is ``false``: ``false`` ≡ absent. ``zeroTapTermsAccepted`` has no
#: documented default, but only ``true`` means anything (terms accepted, ZERO_TAP only).
DEFAULT_FALSE_FIELDS = frozenset(
    {"addSecurityRecommendation", "hasExpiration", "zeroTapTermsAccepted"}
)
#: Button types whose ``text`` exists only in responses (a label Sinch/Meta fills in).
RESPONSE_ONLY_TEXT_BUTTONS = frozenset({"COPY_CODE", "REQUEST_CONTACT_INFO", "ORDER_DETAILS"})
THIRTY_DAYS = 2_592_000
#: ``messageSendTtlSeconds`` values that mean "the default" per category (see module docstring).
DEFAULT_TTLS: dict[str, frozenset[int]] = {
    "AUTHENTICATION": frozenset({600, THIRTY_DAYS}),
    "MARKETING": frozenset({THIRTY_DAYS}),
    "UTILITY": frozenset({THIRTY_DAYS}),
}
_BID_STRATEGY_PREFIX = "BID_STRATEGY_"
_DECIMAL = re.compile(r"^\d+\.\d+$")


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _component_rank(component: Any) -> int:
    if isinstance(component, dict):
        return COMPONENT_ORDER.get(component.get("type"), len(COMPONENT_ORDER))  # type: ignore[arg-type]
    return len(COMPONENT_ORDER)


_SINGLE_EXAMPLE_ALIASES = frozenset(wire.SINGLE_EXAMPLE_ALIASES)


def _clean_list(value: list[Any]) -> list[Any]:
    return [item if type(item) is str else _clean(item) for item in value]


def _clean_dict(value: dict[str, Any]) -> dict[str, Any]:
    # Hot path (two calls per template-language and plan): exact type checks, no helpers.
    out: dict[str, Any] = {}
    kind = value.get("type")
    drop_text = kind in RESPONSE_ONLY_TEXT_BUTTONS
    for key, item in value.items():
        t = type(item)
        if t is str:
            if not item or (drop_text and key == "text"):
                continue
        elif item is None:
            continue
        elif t is dict:
            item = _clean_dict(item)
            if not item:
                continue
        elif t is list:
            if not item:
                continue
            if key in _SINGLE_EXAMPLE_ALIASES and kind != "BODY" and len(item) == 1:
                key, item = wire.SINGLE_EXAMPLE, _clean(item[0])
                if _is_empty(item):
                    continue
            else:
                item = _clean_list(item)
                if key == "components":
                    item.sort(key=_component_rank)
        elif t is bool:
            if item is False and key in DEFAULT_FALSE_FIELDS:
                continue
        elif t is float and item.is_integer():
            item = int(item)
        out[key] = item
    return out


def _clean(value: Any) -> Any:
    """Recursive part of canonicalisation that needs no context (see the module docstring)."""
    t = type(value)
    if t is dict:
        return _clean_dict(value)
    if t is list:
        return _clean_list(value)
    if t is float and value.is_integer():
        return int(value)
    return value


def _decimal_string(value: Any) -> Any:
    if isinstance(value, str) and _DECIMAL.match(value):
        value = value.rstrip("0").rstrip(".")
    return value


def _canonical_optimization(opt: dict[str, Any]) -> dict[str, Any]:
    opt = dict(opt)
    strategy = opt.get("bidStrategy")
    if isinstance(strategy, str) and strategy.startswith(_BID_STRATEGY_PREFIX):
        opt["bidStrategy"] = strategy[len(_BID_STRATEGY_PREFIX) :]
    overrides = opt.get("bidCountryMultiplierOverrides")
    if isinstance(overrides, dict):
        opt["bidCountryMultiplierOverrides"] = {k: _decimal_string(v) for k, v in overrides.items()}
    return opt


def canonical_details(
    details: TemplateDetails | Mapping[str, Any] | None,
    *,
    category: str | None = None,
    strip: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The canonical form of a ``details`` object (desired model or response JSON).

    ``category`` enables the TTL-default rule; ``strip`` removes ignored fields from the result
    (``Config.ignore.strip``: its index paths count components in canonical order).
    ``None`` (no content) gives ``{}``.
    """
    if details is None:
        return {}
    raw = details.to_wire() if isinstance(details, TemplateDetails) else details
    out = _clean(raw)
    if not isinstance(out, dict):  # pragma: no cover - the API always sends an object
        return {"value": out}
    opt = out.get("optimization")
    if isinstance(opt, dict):
        out["optimization"] = _canonical_optimization(opt)
    ttl = out.get("messageSendTtlSeconds")
    if ttl == -1:
        ttl = out["messageSendTtlSeconds"] = THIRTY_DAYS
    if category is not None and isinstance(ttl, int) and ttl in DEFAULT_TTLS.get(category, ()):
        del out["messageSendTtlSeconds"]
    if strip is not None:
        out = strip(out)
    return out


#: One encoder for every call: ``json.dumps`` with options builds a new one each time (about
#: 15 % of the time for a template's hash line). Nothing encoded is circular (parsed JSON, wire
#: forms), so the containers it holds are not tracked.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, check_circular=False
)
#: What ``_CANONICAL.encode`` calls, made once: it makes it anew each time (another 10 % of a
#: hash line). ``None`` where the interpreter has no C encoder.
_MAKE_C_ENCODER: Callable[..., Callable[[Any, int], Sequence[str]]] | None = getattr(
    json.encoder, "c_make_encoder", None
)
_C_CANONICAL = (
    _MAKE_C_ENCODER(
        None,  # no circular check (as above)
        _CANONICAL.default,
        json.encoder.encode_basestring,  # ensure_ascii=False
        None,  # indent
        ":",
        ",",
        True,  # sort_keys
        False,  # skipkeys
        True,  # allow_nan
    )
    if _MAKE_C_ENCODER is not None
    else None
)


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no whitespace, UTF-8 text kept as is."""
    if _C_CANONICAL is None:
        return _CANONICAL.encode(value)
    return "".join(_C_CANONICAL(value, 0))


def sha256_hex(value: Any) -> str:
    """``sha256:<hex>`` of the canonical JSON of ``value``."""
    return "sha256:" + hashlib.sha256(canonical_json(value).encode()).hexdigest()


#: Fields of a remote template that a plan depends on. ``analytics`` and ``qualityScore`` change
#: with traffic and are left out, so sending messages does not make a saved plan stale.
FINGERPRINT_FIELDS = (
    "name",
    "language",
    "category",
    "whatsappId",
    "state",
    "rejectionCode",
    "changes",
    "details",
    "isMetaGenerated",
)
ABSENT = "absent"


def remote_fingerprint(remote: Any | None) -> str:
    """Fingerprint of one remote template (a ``RemoteTemplate``) or ``"absent"``.

    ``apply`` recomputes it from a fresh GET and refuses a saved plan whose fingerprint no
    longer matches: the remote state the plan was made against has changed. Details count as
    the differ sees them (:func:`waform.fields.stable_remote`), so what changes on every read
    (signed media URLs) never makes a plan stale.
    """
    if remote is None:
        return ABSENT
    data = remote.model_dump(mode="json", include=set(FINGERPRINT_FIELDS), exclude_none=True)
    # What the differ compares, not the raw read: a media URL re-signed per read is not a change.
    for layer in (data, data.get("changes") or {}):
        if "details" in layer:
            layer["details"] = stable_remote(
                canonical_details(layer["details"], category=remote.category), remote.category
            )
    return sha256_hex(data)


def desired_hash(bodies: Iterable[tuple[tuple[str, str], Mapping[str, Any]]]) -> str:
    """sha256 over every desired template's key and canonical body, in key order."""
    return hash_lines((key, hash_line(key, body)) for key, body in bodies)


def hash_line(key: tuple[str, str], body: Mapping[str, Any]) -> bytes:
    """One template's part of :func:`desired_hash` (a caller that has many bodies can keep
    these few bytes instead of each body until the end)."""
    return canonical_json([list(key), body]).encode() + b"\n"


def hash_lines(
    lines: Iterable[tuple[tuple[str, str], bytes | memoryview]], *, in_order: bool = False
) -> str:
    """:func:`desired_hash` from the :func:`hash_line` of each template (``in_order``: the
    lines come in key order already, and none is kept)."""
    digest = hashlib.sha256()
    for _key, line in lines if in_order else sorted(lines, key=lambda pair: pair[0]):
        digest.update(line)
    return "sha256:" + digest.hexdigest()
