"""What plan, apply and drift need from a template vendor — and nothing more.

The fetcher, the applier and drift depend on :class:`Provider`, never on a concrete client. The
one implementation today is :class:`~waform.client.sinch.SinchProvider` (the Sinch Provisioning
API), which also serves ``local`` targets: the embedded emulator speaks the same API over an
in-process transport handed in by :mod:`waform.connect`.

**Adding a vendor** (e.g. Meta's Graph API, ``/{waba-id}/message_templates``): write a class with
these methods — typically an :class:`~waform.client.http.HttpApi` subclass, which brings the
retry rules, error lines, redaction and :func:`~waform.client.http.collect_pages` — and
return it from :func:`waform.connect.open_provider` for a new target type. The differ never sees a
provider: it compares :class:`~waform.model.remote.RemoteTemplate` values, so the new class maps
the vendor's templates onto that model when reading, and maps waform's request bodies (the
``WhatsappTemplateInputDto`` shape a plan records: name, language, category, status, details)
onto the vendor's requests when writing. Vendor quirks stay inside the provider:

* ``get``/``get_by_name``/``delete_*`` report "not found" as ``None``/``[]``/an ``ApiError``
  with ``error_code="template_not_found"`` — the applier's verification relies on that;
* retries follow :class:`~waform.client.retry.RetryPolicy` (``retry``): a write whose outcome
  is unknown (timeout after sending, dropped connection, 5xx) raises
  :class:`~waform.errors.UnknownOutcomeError` instead of being sent again; the applier reads the
  key back and, if the write did not take effect, calls again with the same ``budget``, so the
  policy's bound holds for the whole write;
* ``requests_made`` counts every HTTP request sent, for the reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from waform.client.pages import PageListener
from waform.client.retry import RetryBudget, RetryPolicy
from waform.model.remote import RemoteTemplate


class Provider(Protocol):
    """A template vendor's project: list, read, write, and review history (see the module doc)."""

    #: HTTP requests sent so far (retries and token requests included).
    requests_made: int
    #: The server's clock as of its latest answer (``None``: it sent no ``Date``).
    server_time: datetime | None
    #: Prefix of the request paths a plan records (``--dry-run`` prints full paths).
    project_path: str
    #: The retry rules of every request (the applier budgets each write with it).
    retry: RetryPolicy

    @property
    def secrets(self) -> tuple[str, ...]:
        """Strings that must never be printed (dry-run output is scrubbed of them)."""
        ...

    async def list_templates(
        self,
        *,
        name_prefix: str | None = None,
        page_size: int = ...,
        on_page: PageListener[RemoteTemplate] | None = None,
    ) -> list[RemoteTemplate]:
        """Every template, all pages of up to ``page_size`` (default: the vendor's most); only
        names starting with ``name_prefix`` when given. ``on_page`` is told each page's
        templates as they arrive."""
        ...

    async def count_templates(self, *, name_prefix: str | None = None) -> int | None:
        """How many templates ``list_templates(name_prefix=)`` would return now, in one small
        request (``None``: the vendor cannot tell). The fetcher checks a split listing against
        it (:mod:`waform.sweep_parts`)."""
        ...

    async def get_by_name(self, name: str) -> list[RemoteTemplate]:
        """Every language of ``name``; ``[]`` when the name does not exist."""
        ...

    async def get(self, name: str, language: str) -> RemoteTemplate | None:
        """One (name, language); ``None`` when it does not exist."""
        ...

    async def create(
        self, body: Mapping[str, Any], *, budget: RetryBudget | None = None
    ) -> RemoteTemplate:
        """Create one (name, language) from a plan's request body."""
        ...

    async def update(
        self,
        name: str,
        language: str,
        body: Mapping[str, Any],
        *,
        budget: RetryBudget | None = None,
    ) -> RemoteTemplate:
        """Edit one (name, language) (``status``/``details``, as a plan's request body)."""
        ...

    async def delete_language(
        self,
        name: str,
        language: str,
        *,
        delete_submitted: bool,
        budget: RetryBudget | None = None,
    ) -> None:
        """Delete one language (``delete_submitted``: also when beyond a draft)."""
        ...

    async def delete_name(self, name: str, *, budget: RetryBudget | None = None) -> None:
        """Delete every language of ``name``."""
        ...

    async def discard_draft(
        self, name: str, language: str, *, budget: RetryBudget | None = None
    ) -> None:
        """Drop the draft change of a submitted language; the submitted template stays."""
        ...

    async def comment(self, name: str, language: str, text: str) -> Any:
        """A note on one language for the reviewers (``apply --comment``)."""
        ...

    async def activities(
        self, name: str, language: str, *, page_size: int = 100, max_pages: int = 1
    ) -> list[dict[str, Any]]:
        """The review/edit history of one language, newest first (``[]`` when gone): dicts
        with ``type`` (``IN_PROGRESS``, ``EDITED``, ``REJECTED``, ``DRAFT``…) and ``created``
        (ISO 8601), the shape Sinch uses — plan reads edit counts and drift review ages from
        them."""
        ...
