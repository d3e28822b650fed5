"""The shape every output format shares: one :class:`Renderer` per format, looked up by name.

A renderer has one method per kind of subject, named after it (``plan``, ``drift``, ``apply``,
``dry_run``, ``diagnostics``, ``rules``, ``rule``); :func:`waform.render.render` picks the format by name and
the method by the subject's type. A format that has no method for a subject refuses it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from waform.errors import WaformError


@dataclass(frozen=True, slots=True)
class Options:
    """What a caller may ask of any format; each renderer reads the options that concern it."""

    color: bool = False
    """ANSI colour (text on a terminal)."""
    verbose: bool = False
    """More detail (apply: attempts per action)."""
    fail_on: frozenset[str] | None = None
    """Drift finding kinds that fail the check (``None``: the default kinds)."""
    command: str | None = None
    """The command line shown under a Markdown report."""
    limit: int | None = None
    """Largest Markdown output in characters (``None``: the format's default)."""
    preview: Any = None
    """HTML: what the page draws beside a plan (:class:`waform.render.html.PreviewInputs`)."""


def failing_kinds(options: Options) -> frozenset[str]:
    """The drift kinds that fail (``--fail-on none`` is an empty set, not the default)."""
    from waform.drift_report import DEFAULT_FAIL_ON

    return DEFAULT_FAIL_ON if options.fail_on is None else options.fail_on


class Renderer:
    """One output format. Subclasses set :attr:`name` and define a method per subject kind."""

    name: ClassVar[str]

    def __init__(self, options: Options) -> None:
        self.options = options

    def render(self, subject: Any) -> str:
        kind = subject_kind(subject)
        method: Callable[[Any], str] | None = getattr(self, kind, None)
        if method is None:
            raise WaformError(f"there is no {self.name} output for {kind.replace('_', ' ')}")
        return method(subject)


R = TypeVar("R", bound=type[Renderer])

#: Format name → renderer class (filled by :func:`register`).
FORMATS: dict[str, type[Renderer]] = {}


def register(renderer: R) -> R:
    """Class decorator: make ``renderer`` available by its :attr:`~Renderer.name`."""
    FORMATS[renderer.name] = renderer
    return renderer


#: What shows each kind of subject: (module, class, renderer method).
_KINDS = (
    ("waform.plan", "Plan", "plan"),
    ("waform.drift_report", "DriftReport", "drift"),
    ("waform.apply.results", "ApplyReport", "apply"),
    ("waform.apply.runner", "DryRun", "dry_run"),
    ("waform.diagnostics", "DiagnosticReport", "diagnostics"),
    ("waform.rules.listing", "RuleListing", "rules"),
    ("waform.rules.rule", "Rule", "rule"),
)


def subject_kind(subject: Any) -> str:
    """The renderer method that shows ``subject`` (``plan``, ``drift``, …).

    A class exists only once its module is imported: the kinds whose module never was cannot
    match, and are not imported to find out (printing a validation imports no plan, drift or
    apply module)."""
    for module, name, kind in _KINDS:
        # ``None`` too while another thread is still importing the module
        cls = getattr(sys.modules.get(module), name, None)
        if cls is not None and isinstance(subject, cls):
            return kind
    raise TypeError(f"nothing renders a {type(subject).__name__}")
