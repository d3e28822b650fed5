"""Write steps: the requests an apply sends, their order, and their redacted dry-run form.

A :class:`WriteStep` is one HTTP write on one (name, language). The plan says *what* changes;
steps say *how* it is sent. Scheduling is a pure function so the ordering rules are testable on
their own:

* steps of one template name run one after another, in plan order — the first language created
  fixes the name's category, and Sinch answers ``resource_locked`` to concurrent edits of one
  template;
* different names run in parallel;
* deletes run last (a rename creates the new name before the old one disappears), except a delete
  that a later step of the same key depends on (delete-then-recreate), which stays in place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: The plan's action kinds (:data:`waform.plan.ActionKind`).
StepKind = Literal["create", "create-draft", "submit", "update", "delete", "discard-draft"]


@dataclass(frozen=True)
class WriteStep:
    """One write request, self-contained so a saved plan can be verified without the YAML.

    ``path`` is relative to the project (``/whatsapp/templates/…``); ``query`` carries
    ``deleteSubmitted``; ``body`` is exactly what is sent, and (with ``category``) what the key
    must look like afterwards. ``index`` is the position in the plan, used for stable ordering.
    """

    kind: StepKind
    name: str
    language: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    category: str | None = None
    delete_submitted: bool = False
    index: int = 0
    query: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.language)

    @property
    def label(self) -> str:
        return f"{self.name}/{self.language}"

    @property
    def submits(self) -> bool:
        """True when this write sends content to Meta for review (``status: SUBMIT``)."""
        return bool(self.body) and self.body.get("status") == "SUBMIT"  # type: ignore[union-attr]


@dataclass(frozen=True)
class Schedule:
    """Steps grouped for execution: each group is one name's steps, run in order."""

    phases: tuple[tuple[tuple[WriteStep, ...], ...], ...]

    @property
    def steps(self) -> list[WriteStep]:
        return [step for phase in self.phases for group in phase for step in group]


def schedule(steps: Iterable[WriteStep]) -> Schedule:
    """Order steps into phases (writes, then deletes) of per-name groups; see the module doc."""
    ordered = sorted(steps, key=lambda s: s.index)
    main: dict[str, list[WriteStep]] = {}
    deletes: dict[str, list[WriteStep]] = {}
    for position, step in enumerate(ordered):
        later_same_key = any(o.key == step.key for o in ordered[position + 1 :])
        target = deletes if step.kind == "delete" and not later_same_key else main
        target.setdefault(step.name, []).append(step)
    phases = tuple(
        tuple(tuple(group) for group in phase.values()) for phase in (main, deletes) if phase
    )
    return Schedule(phases=phases)


# ---------------------------------------------------------------- redaction

#: Words that mark a query parameter or JSON key as a credential (``X-Amz-Signature``,
#: ``access_token``, ``apiKey``, ``keySecret``…), matched per word of the name.
_SECRET_WORDS = frozenset(
    "password passwd secret token sig signature apikey credential credentials auth "
    "authorization accesskey keysecret".split()
)
_URL = re.compile(r"\bhttps?://[^\s\"'<>]+", re.IGNORECASE)
REDACTED = "***"


def is_secret_name(name: str) -> bool:
    """True for ``access_token``, ``X-Amz-Signature``, ``apiKey``; false for ``design``, ``key``."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    words = [w.lower() for w in re.split(r"[-_.\s]+", spaced) if w]
    joined = "".join(words)
    return (
        joined in _SECRET_WORDS
        or any(w in _SECRET_WORDS for w in words)
        or any("".join(words[i : i + 2]) in _SECRET_WORDS for i in range(len(words) - 1))
    )


def redact_url(url: str) -> str:
    """Hide user-info and credential-looking query values of a URL (e.g. signed media links)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(is_secret_name(k) for k, _ in pairs):
            query = urlencode(
                [(k, REDACTED if is_secret_name(k) else v) for k, v in pairs], safe="*"
            )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact(value: Any, secrets: Sequence[str] = ()) -> Any:
    """A copy of a JSON value with secrets hidden: credential-named keys, signed URLs, and any
    literal occurrence of a known secret (``secrets``, e.g. the configured key secret)."""
    if isinstance(value, dict):
        return {
            k: (REDACTED if is_secret_name(str(k)) else redact(v, secrets))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v, secrets) for v in value]
    if isinstance(value, str):
        text = _URL.sub(lambda m: redact_url(m.group(0)), value)
        for secret in secrets:
            if secret and len(secret) >= 4:
                text = text.replace(secret, REDACTED)
        return text
    return value


def request_line(step: WriteStep, base_path: str = "") -> str:
    """``METHOD path?query`` of a step, as it goes on the wire."""
    path = f"{base_path}{step.path}"
    if step.query:
        path = f"{path}?{urlencode(step.query)}"
    return f"{step.method} {path}"


def dry_run_lines(
    steps: Sequence[WriteStep], *, base_path: str = "", secrets: Sequence[str] = ()
) -> list[str]:
    """The exact requests an apply would send, in execution order, bodies pretty-printed."""
    lines: list[str] = []
    for step in schedule(steps).steps:
        lines.append(redact(request_line(step, base_path), secrets))
        if step.body is not None:
            body = json.dumps(redact(step.body, secrets), indent=2, ensure_ascii=False)
            lines.extend(f"  {line}" for line in body.splitlines())
    return lines


def dry_run_json(
    steps: Sequence[WriteStep], *, base_path: str = "", secrets: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The same requests as data (``--dry-run --json``)."""
    out = []
    for step in schedule(steps).steps:
        item: dict[str, Any] = {
            "action": step.kind,
            "name": step.name,
            "language": step.language,
            "method": step.method,
            "path": redact(f"{base_path}{step.path}", secrets),
        }
        if step.query:
            item["query"] = dict(step.query)
        if step.body is not None:
            item["body"] = redact(step.body, secrets)
        out.append(item)
    return out
