"""Handlers of Sinch's template and webhook routes: HTTP in, :class:`Emulator` call, JSON out.

Each takes the request and the emulator core; :func:`waform.emulator.app.create_app` wraps them
with authentication, the project check and error handling. List responses are assembled from
the stored DTO strings (see :mod:`waform.emulator.records`); only a ``fieldMask`` makes the
emulator parse them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from waform.emulator import listing
from waform.emulator.errors import PapiError, invalid_input
from waform.emulator.meta import sign
from waform.emulator.records import dumps
from waform.emulator.service import Emulator
from waform.emulator.template_pages import Page
from waform.emulator.validation import (
    CommentBody,
    CreateTemplateBody,
    UpdateTemplateBody,
    parse_json,
    parse_model,
)
from waform.emulator.webhook_wire import WebhookInput, WebhookUpdate
from waform.model.base import WireModel
from waform.model.template import NAME_PATTERN


def json_response(body: str | dict[str, Any] | list[Any], status: int = 200) -> Response:
    content = body if isinstance(body, str) else dumps(body)
    return Response(content, status_code=status, media_type="application/json")


# ---------------------------------------------------------------- helpers


async def _body(request: Request, model: type[WireModel]) -> Any:
    return parse_model(model, parse_json(await request.body()))


async def _template_body(request: Request, emulator: Emulator, model: type[WireModel]) -> Any:
    """A create/update body, read the way Meta reads it (see :mod:`waform.emulator.meta`)."""
    return parse_model(model, emulator.rewrites().request(parse_json(await request.body())))


def _language(request: Request, emulator: Emulator) -> tuple[str, str, str]:
    project = request.path_params["projectId"]
    name = request.path_params["templateName"]
    return project, name, emulator.language(request.path_params["languageCode"])


def _bool_param(request: Request, key: str) -> bool:
    raw = request.query_params.get(key)
    if raw is None or raw == "":
        return False
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise invalid_input([f"{key} must be a boolean value"])


def _page_json(page: Page, size: int, mask: list[str] | None, analytics: str) -> str:
    """``WhatsappTemplateListDto`` as a string, joined from the stored DTOs."""
    head = [f'{{"totalSize":{page.total},"pageSize":{size}']
    if page.has_previous and page.first is not None:
        head.append(f',"previousPageToken":{json.dumps(listing.encode_token("b", page.first))}')
    if page.has_next and page.last is not None:
        head.append(f',"nextPageToken":{json.dumps(listing.encode_token("a", page.last))}')
    suffix = ',"analytics":' + analytics + "}"
    if mask is None:
        items = ",".join([dto[:-1] + suffix for dto in page.dtos])
    else:
        tree = listing.mask_tree(mask)
        items = ",".join(
            dumps(listing.project(json.loads(dto[:-1] + suffix), tree)) for dto in page.dtos
        )
    return sign("".join(head) + ',"templates":[' + items + "]}")


def _list_query(request: Request) -> dict[str, Any]:
    query = request.query_params
    size = listing.page_size(query)
    token = listing.decode_token(query.get("pageToken"))
    kwargs: dict[str, Any] = {"size": size}
    if token is not None:
        direction, key = token
        kwargs["after" if direction == "a" else "before"] = listing.template_key(key)
    return kwargs


# ---------------------------------------------------------------- templates


async def list_templates(request: Request, emulator: Emulator) -> Response:
    query = request.query_params
    kwargs = _list_query(request)
    kwargs["states"] = listing.filter_states(query)
    kwargs["statuses"] = listing.filter_statuses(query)
    mask = listing.field_mask(query)
    kwargs["prefix"] = query.get("templateName") or None
    page = emulator.page(request.path_params["projectId"], **kwargs)
    analytics = emulator.analytics_json(query.get("templateAnalyticsDateRange"))
    return json_response(_page_json(page, kwargs["size"], mask, analytics))


async def list_by_name(request: Request, emulator: Emulator) -> Response:
    query = request.query_params
    kwargs = _list_query(request)
    mask = listing.field_mask(query)
    project = request.path_params["projectId"]
    name = request.path_params["templateName"]
    page = emulator.page(project, name=name, **kwargs)
    if page.total == 0:
        raise PapiError("template_not_found")
    analytics = emulator.analytics_json(query.get("templateAnalyticsDateRange"))
    return json_response(_page_json(page, kwargs["size"], mask, analytics))


async def create_template(request: Request, emulator: Emulator) -> Response:
    body = await _template_body(request, emulator, CreateTemplateBody)
    record = emulator.create(request.path_params["projectId"], body)
    return json_response(emulator.record_json(record), status=201)


async def get_template(request: Request, emulator: Emulator) -> Response:
    project, name, language = _language(request, emulator)
    mask = listing.field_mask(request.query_params)
    record = emulator.get(project, name, language)
    body = emulator.record_json(record, request.query_params.get("templateAnalyticsDateRange"))
    if mask is not None:
        body = dumps(listing.project(json.loads(body), listing.mask_tree(mask)))
    return json_response(body)


async def update_template(request: Request, emulator: Emulator) -> Response:
    project, name, language = _language(request, emulator)
    body = await _template_body(request, emulator, UpdateTemplateBody)
    record = emulator.update(project, name, language, body)
    return json_response(emulator.record_json(record))


async def delete_by_name(request: Request, emulator: Emulator) -> Response:
    emulator.delete_name(request.path_params["projectId"], request.path_params["templateName"])
    return Response(status_code=204)


async def delete_language(request: Request, emulator: Emulator) -> Response:
    project, name, language = _language(request, emulator)
    delete_submitted = _bool_param(request, "deleteSubmitted")
    emulator.delete_language(project, name, language, delete_submitted=delete_submitted)
    return Response(status_code=204)


async def list_activities(request: Request, emulator: Emulator) -> Response:
    project, name, language = _language(request, emulator)
    query = request.query_params
    size = listing.page_size(query, maximum=listing.MAX_ACTIVITY_PAGE_SIZE)
    token = listing.decode_token(query.get("pageToken"))
    before_id = None
    if token is not None:
        direction, key = token
        if direction != "b" or len(key) != 1 or not isinstance(key[0], int):
            raise PapiError("invalid_page_token")
        before_id = key[0]
    items, total, next_before = emulator.activities(
        project, name, language, size=size, before_id=before_id
    )
    body: dict[str, Any] = {"totalSize": total, "pageSize": size}
    if next_before is not None:
        body["nextPageToken"] = listing.encode_token("b", [next_before])
    body["notifications"] = items
    return json_response(body)


async def create_comment(request: Request, emulator: Emulator) -> Response:
    project, name, language = _language(request, emulator)
    body = await _body(request, CommentBody)
    return json_response(emulator.comment(project, name, language, body.comment), status=201)


class _CompareIdentifier(WireModel):
    templateName: str
    templateLanguage: str


class _CompareBody(WireModel):
    templates: list[_CompareIdentifier]
    timeframe: str = "7"
    endTimestamp: int | float | None = None


async def compare_templates(request: Request, emulator: Emulator) -> Response:
    """Needs ≥ 1,000 sends per template in the timeframe; emulated analytics are zeros, so
    valid comparisons always end in ``409 templates_not_eligible_for_comparison``."""
    project, name, language = _language(request, emulator)
    body = await _body(request, _CompareBody)
    errors = []
    if len(body.templates) != 1:
        errors.append("templates must contain exactly 1 element")
    if body.timeframe not in ("7", "30", "60", "90"):
        errors.append("timeframe must be one of the following values: 7, 30, 60, 90")
    for index, item in enumerate(body.templates):
        if not re.match(NAME_PATTERN, item.templateName):
            errors.append(f"templates.{index}.templateName must match {NAME_PATTERN}")
    if errors:
        raise invalid_input(errors)
    emulator.get(project, name, language)
    other = body.templates[0]
    if (other.templateName, other.templateLanguage) == (name, language):
        raise PapiError("templates_compare_not_unique")
    if emulator.store.get(project, other.templateName, other.templateLanguage) is None:
        raise PapiError(
            "templates_compare_not_found",
            resolution="Verify that the parameters are correct. No templates found for "
            f"templateName: {other.templateName} and templateLanguage: {other.templateLanguage}",
        )
    raise PapiError("templates_not_eligible_for_comparison")


async def sync_templates(request: Request, emulator: Emulator) -> Response:
    """The emulator *is* Meta's source of truth, so a sync has nothing to pull."""
    emulator.settle()
    return Response(status_code=200)


# ---------------------------------------------------------------- webhooks


async def list_webhooks(request: Request, emulator: Emulator) -> Response:
    size = listing.page_size(request.query_params, maximum=15)
    token = listing.decode_token(request.query_params.get("pageToken"))
    hooks = emulator.webhooks.list(request.path_params["projectId"])
    start = 0
    if token is not None:
        direction, key = token
        if direction != "a" or len(key) != 1 or not isinstance(key[0], int) or key[0] < 0:
            raise PapiError("invalid_page_token")
        start = key[0]
    body: dict[str, Any] = {"totalSize": len(hooks), "pageSize": size}
    if start > 0:
        body["previousPageToken"] = listing.encode_token("a", [max(0, start - size)])
    if start + size < len(hooks):
        body["nextPageToken"] = listing.encode_token("a", [start + size])
    body["webhooks"] = hooks[start : start + size]
    return json_response(body)


async def create_webhook(request: Request, emulator: Emulator) -> Response:
    body = await _body(request, WebhookInput)
    return json_response(
        emulator.webhooks.create(request.path_params["projectId"], body), status=201
    )


async def get_webhook(request: Request, emulator: Emulator) -> Response:
    p = request.path_params
    return json_response(emulator.webhooks.get(p["projectId"], p["webhookId"]))


async def replace_webhook(request: Request, emulator: Emulator) -> Response:
    p = request.path_params
    emulator.webhooks.check_id(p["webhookId"])
    body = await _body(request, WebhookInput)
    return json_response(emulator.webhooks.replace(p["projectId"], p["webhookId"], body))


async def update_webhook(request: Request, emulator: Emulator) -> Response:
    p = request.path_params
    emulator.webhooks.check_id(p["webhookId"])
    body = await _body(request, WebhookUpdate)
    return json_response(emulator.webhooks.update(p["projectId"], p["webhookId"], body))


async def delete_webhook(request: Request, emulator: Emulator) -> Response:
    p = request.path_params
    emulator.webhooks.delete(p["projectId"], p["webhookId"])
    return Response(status_code=204)
