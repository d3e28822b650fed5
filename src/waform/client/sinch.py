"""The Sinch Provisioning API (WhatsApp templates): the :class:`~waform.client.provider.Provider`
that ``sinch`` targets and the embedded emulator (``local`` targets) both speak.

Only the endpoints live here; sending, retries, errors and paging are :mod:`waform.client.http`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

import httpx

from waform.client.auth import Authenticator
from waform.client.calls import Call, json_object
from waform.client.http import Endpoint, HttpApi, http_client
from waform.client.pages import PageListener, collect_pages
from waform.client.retry import RetryBudget, RetryPolicy, ThrottleHook
from waform.model.remote import RemoteTemplate, RemoteTemplateList

#: Most templates ``listTemplates`` returns in one page.
MAX_PAGE_SIZE = 1000


def _seg(value: str) -> str:
    return quote(value, safe="")


class SinchProvider(HttpApi):
    """The WhatsApp template operations of one Sinch project. Open it with :func:`open_sinch`
    (or, from a configured target, :func:`waform.connect.open_provider`)."""

    def __init__(
        self, http: httpx.AsyncClient, *, project_id: str, auth: Authenticator, **options: Any
    ) -> None:
        super().__init__(http, auth=auth, **options)
        self.project_id = project_id
        #: ``/v1/projects/{projectId}``: prefix of the paths a plan records (dry-run shows it).
        self.project_path = f"/v1/projects/{_seg(project_id)}"
        self._templates = f"{self.project_path}/whatsapp/templates"

    def _language_path(self, name: str, language: str) -> str:
        return f"{self._templates}/{_seg(name)}/languages/{_seg(language)}"

    # ------------------------------------------------------------------ reads

    async def list_page(
        self,
        *,
        page_size: int = MAX_PAGE_SIZE,
        page_token: str | None = None,
        name_prefix: str | None = None,
        filter_states: Sequence[str] | None = None,
        filter_statuses: Sequence[str] | None = None,
        field_mask: Sequence[str] | None = None,
    ) -> RemoteTemplateList:
        """One page of ``listTemplates`` (``name_prefix`` → ``templateName``, a prefix match)."""
        params: list[tuple[str, str]] = [("pageSize", str(page_size))]
        if page_token:
            params.append(("pageToken", page_token))
        if name_prefix:
            params.append(("templateName", name_prefix))
        params += [("filterStates", s) for s in filter_states or ()]
        params += [("filterStatuses", s) for s in filter_statuses or ()]
        params += [("fieldMask", f) for f in field_mask or ()]
        call = Call("listTemplates", "GET", self._templates, params=tuple(params))
        response = await self._request(call)
        assert response is not None
        return self._parse(RemoteTemplateList, response, call)

    async def list_templates(
        self,
        *,
        name_prefix: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
        on_page: PageListener[RemoteTemplate] | None = None,
    ) -> list[RemoteTemplate]:
        """Every template of the project (whose name starts with ``name_prefix``), all pages."""

        async def page(token: str | None) -> tuple[list[RemoteTemplate], str | None]:
            found = await self.list_page(
                page_size=page_size, page_token=token, name_prefix=name_prefix
            )
            return found.templates, found.nextPageToken

        return await collect_pages(page, op="listTemplates", on_page=on_page)

    async def count_templates(self, *, name_prefix: str | None = None) -> int:
        """How many templates ``list_templates`` would return: ``totalSize`` of a one-item page."""
        return (await self.list_page(page_size=1, name_prefix=name_prefix)).totalSize

    async def get_by_name(self, name: str) -> list[RemoteTemplate]:
        """Every language of ``name`` (all pages); ``[]`` when the name does not exist."""

        async def page(token: str | None) -> tuple[list[RemoteTemplate], str | None]:
            params = [("pageSize", str(MAX_PAGE_SIZE))] + ([("pageToken", token)] if token else [])
            call = Call(
                "listTemplatesByName",
                "GET",
                f"{self._templates}/{_seg(name)}",
                template=name,
                params=tuple(params),
                not_found_ok=True,
            )
            response = await self._request(call)
            if response is None:
                return [], None
            found = self._parse(RemoteTemplateList, response, call)
            return found.templates, found.nextPageToken

        return await collect_pages(page, op=f"listTemplatesByName {name}")

    async def get(self, name: str, language: str) -> RemoteTemplate | None:
        """One (name, language), or ``None`` if it does not exist (404 ``template_not_found``)."""
        call = Call(
            "getTemplate",
            "GET",
            self._language_path(name, language),
            template=f"{name}/{language}",
            not_found_ok=True,
        )
        response = await self._request(call)
        return None if response is None else self._parse(RemoteTemplate, response, call)

    async def activities(
        self, name: str, language: str, *, page_size: int = 100, max_pages: int = 1
    ) -> list[dict[str, Any]]:
        """``listActivities`` of one language, newest first (``[]`` if the template is gone).

        Reads at most ``max_pages`` pages: callers want recent events (when a review started,
        recent edits), and the newest come first, so one page is usually enough.
        """

        async def page(token: str | None) -> tuple[list[dict[str, Any]], str | None]:
            params = [("pageSize", str(page_size))] + ([("pageToken", token)] if token else [])
            call = Call(
                "listActivities",
                "GET",
                f"{self._language_path(name, language)}/activities",
                template=f"{name}/{language}",
                params=tuple(params),
                not_found_ok=True,
            )
            response = await self._request(call)
            found = json_object(response) if response is not None else {}
            items = found.get("notifications")
            next_token = found.get("nextPageToken")
            return (
                [item for item in items if isinstance(item, dict)]
                if isinstance(items, list)
                else [],
                next_token if isinstance(next_token, str) and next_token else None,
            )

        return await collect_pages(page, op="listActivities", limit=max(1, max_pages))

    # ------------------------------------------------------------------ writes

    async def _template(self, call: Call, budget: RetryBudget | None) -> RemoteTemplate:
        """Send a write that answers with the template it wrote."""
        response = await self._request(call, budget)
        assert response is not None
        return self._parse(RemoteTemplate, response, call)

    async def create(
        self, body: Mapping[str, Any], *, budget: RetryBudget | None = None
    ) -> RemoteTemplate:
        """``createTemplate`` with a ``WhatsappTemplateInputDto`` body."""
        call = Call(
            "createTemplate",
            "POST",
            self._templates,
            template=f"{body.get('name')}/{body.get('language')}",
            write=True,
            json=dict(body),
        )
        return await self._template(call, budget)

    async def update(
        self,
        name: str,
        language: str,
        body: Mapping[str, Any],
        *,
        budget: RetryBudget | None = None,
    ) -> RemoteTemplate:
        """``updateTemplate`` (PATCH) with a ``WhatsappUpdateTemplateInputDto`` body."""
        call = Call(
            "updateTemplate",
            "PATCH",
            self._language_path(name, language),
            template=f"{name}/{language}",
            write=True,
            json=dict(body),
        )
        return await self._template(call, budget)

    async def delete_language(
        self,
        name: str,
        language: str,
        *,
        delete_submitted: bool,
        budget: RetryBudget | None = None,
    ) -> None:
        """Delete one language; ``delete_submitted`` is needed for anything beyond a draft."""
        call = Call(
            "deleteTemplateByNameAndLanguage",
            "DELETE",
            self._language_path(name, language),
            template=f"{name}/{language}",
            write=True,
            params=(("deleteSubmitted", "true"),) if delete_submitted else (),
        )
        await self._request(call, budget)

    async def discard_draft(
        self, name: str, language: str, *, budget: RetryBudget | None = None
    ) -> None:
        """``deleteTemplateByNameAndLanguage`` without ``deleteSubmitted``: Sinch then removes
        only the draft (with it, the submitted template would go too)."""
        await self.delete_language(name, language, delete_submitted=False, budget=budget)

    async def delete_name(self, name: str, *, budget: RetryBudget | None = None) -> None:
        """Delete every language of ``name`` (the name is then blocked for 30 days)."""
        call = Call(
            "deleteTemplatesByName",
            "DELETE",
            f"{self._templates}/{_seg(name)}",
            template=name,
            write=True,
        )
        await self._request(call, budget)

    async def comment(self, name: str, language: str, text: str) -> dict[str, Any]:
        """``createComment`` on one language (e.g. a note for Meta's reviewers)."""
        call = Call(
            "createComment",
            "POST",
            f"{self._language_path(name, language)}/comments",
            template=f"{name}/{language}",
            write=True,
            json={"comment": text},
        )
        response = await self._request(call)
        assert response is not None
        return json_object(response)


@asynccontextmanager
async def open_sinch(
    endpoint: Endpoint,
    *,
    project_id: str,
    retry: RetryPolicy | None = None,
    throttle: ThrottleHook | None = None,
    max_connections: int = 16,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> AsyncIterator[SinchProvider]:
    """A :class:`SinchProvider` for one project at ``endpoint``, closed on exit.

    ``clock``/``sleep`` drive token expiry and backoff (tests observe waits without waiting).
    """
    async with http_client(endpoint, max_connections=max_connections) as http:
        yield SinchProvider(
            http,
            project_id=project_id,
            auth=endpoint.auth,
            retry=retry,
            throttle=throttle,
            auth_hint=endpoint.auth_hint,
            clock=clock,
            sleep=sleep,
        )
