"""The control API, under ``/_emulator``: what Meta, time and the network do, on demand.

Not part of Sinch's API. It answers clients on loopback (the emulator binds to 127.0.0.1 by
default); a client on another address must send the ``x-emulator-control-token`` header with the
emulator's ``control_token`` and is refused (403 ``control_forbidden``) when none is set.
Bodies and answers are JSON with camelCase keys; failures are PAPI errors. Endpoints:

=========================================================================  =====================
``GET  /_emulator/health``                                                  liveness + clock
``POST /_emulator/reset``                                                   forget everything
``GET  /_emulator/clock`` · ``POST /_emulator/clock/advance {seconds}``     emulator clock
``POST /_emulator/clock/set {now}``                                         (epoch seconds)
``GET|PUT /_emulator/settings {reviewDelaySeconds, literal,``               review delay, Meta's
``missingExamples, percentEncodedUrls}``                                    rewrites (``meta``)
``GET|PUT|DELETE /_emulator/faults {seed, lockedRate, throttleRate,``       fault injection
``errorRate, errorAfterRate, dropRate, latencyMs, latencyJitterMs,``        (see ``faults``)
``retryAfter, methods, pathRegex, script}``
``PUT|DELETE /_emulator/rate-limit {requestsPerSecond}``                    429 beyond it
``GET|DELETE /_emulator/requests`` · ``/_emulator/projects/{p}/requests``   request log
``POST /_emulator/projects/{p}``                                            initialise (strict)
``POST /_emulator/projects/{p}/reviews/complete {name?, language?,``        decide reviews now
``outcome?: APPROVED|REJECTED, rejectionCode?, category?}``
``POST /_emulator/projects/{p}/templates {name, language, category,``       out-of-band or
``details, state?, qualityScore?, isMetaGenerated?}``                       Meta-generated
``POST …/templates/{name}/languages/{code}/state {state, rejectionCode?}``  force a state
``POST …/quality {qualityScore}`` · ``…/category {category, future?}``      Meta's changes
``POST …/comments {comment, author?}``                                      a support comment
``GET  /_emulator/projects/{p}/webhook-deliveries``                         delivery log
``POST /_emulator/webhooks/flush``                                          deliver pending now
=========================================================================  =====================
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from waform.emulator.clock import iso
from waform.emulator.errors import PapiError, invalid_input
from waform.emulator.faults import FaultConfig
from waform.emulator.lifecycle import Verdict
from waform.emulator.records import Record, dumps
from waform.emulator.settings import CONTROL_TOKEN_HEADER
from waform.emulator.validation import parse_json, parse_model
from waform.model.base import WireModel
from waform.model.components import TemplateDetails
from waform.model.enums import Category, QualityScore, RejectionCode, TemplateState
from waform.model.template import TemplateName

if TYPE_CHECKING:
    from waform.emulator.service import Emulator

Endpoint = Callable[[Request], Awaitable[Response]]


class _Advance(WireModel):
    seconds: Annotated[float, Field(ge=0)] = 0.0
    days: Annotated[float, Field(ge=0)] = 0.0


class _SetClock(WireModel):
    now: float


class _Settings(WireModel):
    reviewDelaySeconds: Annotated[float, Field(ge=0)] | None = None
    #: See :mod:`waform.emulator.meta`: echo instead of Meta's rewrites; scenario switches.
    literal: bool | None = None
    missingExamples: list[str] | None = None
    percentEncodedUrls: list[str] | None = None


class _RateLimit(WireModel):
    requestsPerSecond: Annotated[float, Field(gt=0)]


class _Complete(WireModel):
    name: str | None = None
    language: str | None = None
    outcome: Literal["APPROVED", "REJECTED"] | None = None
    rejectionCode: RejectionCode | None = None
    category: Category | None = None


class _AddTemplate(WireModel):
    name: TemplateName
    language: str
    category: Category
    details: TemplateDetails
    state: TemplateState = "APPROVED"
    qualityScore: QualityScore | None = "QUALITY_SCORE_UNKNOWN"
    isMetaGenerated: bool = False


class _State(WireModel):
    state: TemplateState
    rejectionCode: RejectionCode | None = None


class _Quality(WireModel):
    qualityScore: QualityScore


class _Category(WireModel):
    category: Category
    future: bool = False


class _Comment(WireModel):
    comment: Annotated[str, Field(min_length=1, max_length=65535)]
    author: str | None = "Meta"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def is_loopback(host: str | None) -> bool:
    """Whether a client address is this machine (``None``: an in-process caller)."""
    if host is None:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def check_access(request: Request, token: str | None) -> None:
    """Loopback clients are trusted; others need ``token`` (and are refused without one)."""
    if is_loopback(request.client.host if request.client else None):
        return
    sent = request.headers.get(CONTROL_TOKEN_HEADER, "")
    if token is None or not hmac.compare_digest(sent.encode(), token.encode()):
        raise PapiError("control_forbidden")


def control_routes(emulator: Emulator) -> list[Route]:
    def endpoint(handler: Callable[[Request], Awaitable[Any]]) -> Endpoint:
        async def run(request: Request) -> Response:
            try:
                check_access(request, emulator.settings.control_token)
                result = await handler(request)
            except PapiError as error:
                return error.response()
            except ValidationError as exc:
                return invalid_input([str(e["msg"]) for e in exc.errors()]).response()
            if isinstance(result, Response):
                return result
            return Response(dumps(result), media_type="application/json")

        return run

    def dto(record: Record) -> dict[str, Any]:
        return record.full_dto(emulator.analytics_json("DAY"))

    def key(request: Request) -> tuple[str, str, str]:
        p = request.path_params
        return p["project"], p["name"], emulator.language(p["language"])

    async def body(request: Request, model: type[WireModel]) -> Any:
        raw = await request.body()
        return parse_model(model, parse_json(raw) if raw.strip() else {})

    async def health(request: Request) -> Any:
        now = emulator.clock.now()
        return {"ok": True, "now": now, "nowIso": iso(now), "state": emulator.store.path}

    async def reset(request: Request) -> Any:
        emulator.store.reset()
        emulator.limiter.configure(None)
        return {"ok": True}

    async def clock(request: Request) -> Any:
        now = emulator.clock.now()
        return {"now": now, "nowIso": iso(now), "offset": emulator.clock.offset()}

    async def advance(request: Request) -> Any:
        data = await body(request, _Advance)
        emulator.clock.advance(data.seconds + data.days * 86_400)
        emulator.settle()
        return await clock(request)

    async def set_clock(request: Request) -> Any:
        data = await body(request, _SetClock)
        emulator.clock.set(data.now)
        emulator.settle()
        return await clock(request)

    async def settings(request: Request) -> Any:
        if request.method == "PUT":
            data = await body(request, _Settings)
            if data.reviewDelaySeconds is not None:
                emulator.store.set_meta("review_delay", repr(data.reviewDelaySeconds))
            rewrites = data.model_dump(
                include={"literal", "missingExamples", "percentEncodedUrls"}, exclude_none=True
            )
            if rewrites:
                stored = emulator.store.get_meta_json("rewrites") or {}
                emulator.store.set_meta_json("rewrites", {**stored, **rewrites})
        current = emulator.rewrites()
        return {
            "reviewDelaySeconds": emulator.review_delay,
            "literal": current.literal,
            "missingExamples": list(current.missing_examples),
            "percentEncodedUrls": list(current.percent_encoded_urls),
        }

    async def faults(request: Request) -> Any:
        if request.method == "DELETE":
            emulator.faults.configure(None)
        elif request.method == "PUT":
            data = parse_json(await request.body())
            if not isinstance(data, dict):
                raise invalid_input(["body must be an object"])
            try:
                armed = FaultConfig.from_json({_snake(k): v for k, v in data.items()})
            except (TypeError, ValueError, re.error) as exc:
                raise invalid_input([str(exc)]) from None
            emulator.faults.configure(armed)
        config = emulator.faults.config()
        return {
            "faults": None
            if config is None
            else {_camel(k): v for k, v in config.to_json().items()}
        }

    async def rate_limit(request: Request) -> Any:
        if request.method == "DELETE":
            emulator.limiter.configure(None)
        elif request.method == "PUT":
            data = await body(request, _RateLimit)
            emulator.limiter.configure(data.requestsPerSecond)
        return {"requestsPerSecond": emulator.limiter.limit()}

    async def requests_log(request: Request) -> Any:
        project = request.path_params.get("project") or request.query_params.get("project")
        if request.method == "DELETE":
            emulator.store.clear_requests(project)
            return {"count": 0, "requests": []}
        items = emulator.store.requests(project)
        return {"count": len(items), "requests": items}

    async def init_project(request: Request) -> Any:
        emulator.store.add_project(request.path_params["project"], emulator.clock.now())
        return {"projectId": request.path_params["project"]}

    async def complete(request: Request) -> Any:
        data = await body(request, _Complete)
        verdict = None
        if data.outcome == "APPROVED":
            verdict = Verdict(True, category=data.category)
        elif data.outcome == "REJECTED":
            verdict = Verdict(
                False, data.rejectionCode or "NONE", reason="Rejected by control API."
            )
        done = emulator.complete_reviews(
            request.path_params["project"], name=data.name, language=data.language, verdict=verdict
        )
        return {"completed": done}

    async def add_template(request: Request) -> Any:
        data = await body(request, _AddTemplate)
        record = emulator.meta_add(
            request.path_params["project"],
            name=data.name,
            language=emulator.language(data.language),
            category=data.category,
            details=data.details.to_wire(),
            state=data.state,
            quality_score=data.qualityScore,
            meta_generated=data.isMetaGenerated,
        )
        return Response(dumps(dto(record)), status_code=201, media_type="application/json")

    async def force_state(request: Request) -> Any:
        data = await body(request, _State)
        return dto(emulator.meta_force_state(*key(request), data.state, data.rejectionCode))

    async def quality(request: Request) -> Any:
        data = await body(request, _Quality)
        return dto(emulator.meta_quality(*key(request), data.qualityScore))

    async def category(request: Request) -> Any:
        data = await body(request, _Category)
        return dto(emulator.meta_category(*key(request), data.category, future=data.future))

    async def comment(request: Request) -> Any:
        data = await body(request, _Comment)
        result = emulator.comment(*key(request), data.comment, author=data.author)
        return Response(dumps(result), status_code=201, media_type="application/json")

    async def deliveries(request: Request) -> Any:
        return {"deliveries": emulator.webhooks.deliveries(request.path_params.get("project"))}

    async def flush(request: Request) -> Any:
        emulator.settle()
        await emulator.webhooks.deliver_due(force=True)
        return {"pending": emulator.webhooks.pending_count()}

    template = "/projects/{project}/templates/{name}/languages/{language}"
    return [
        Route("/health", endpoint(health), methods=["GET"]),
        Route("/reset", endpoint(reset), methods=["POST"]),
        Route("/clock", endpoint(clock), methods=["GET"]),
        Route("/clock/advance", endpoint(advance), methods=["POST"]),
        Route("/clock/set", endpoint(set_clock), methods=["POST"]),
        Route("/settings", endpoint(settings), methods=["GET", "PUT"]),
        Route("/faults", endpoint(faults), methods=["GET", "PUT", "DELETE"]),
        Route("/rate-limit", endpoint(rate_limit), methods=["GET", "PUT", "DELETE"]),
        Route("/requests", endpoint(requests_log), methods=["GET", "DELETE"]),
        Route("/projects/{project}/requests", endpoint(requests_log), methods=["GET", "DELETE"]),
        Route("/projects/{project}", endpoint(init_project), methods=["POST"]),
        Route("/projects/{project}/reviews/complete", endpoint(complete), methods=["POST"]),
        Route("/projects/{project}/templates", endpoint(add_template), methods=["POST"]),
        Route(template + "/state", endpoint(force_state), methods=["POST"]),
        Route(template + "/quality", endpoint(quality), methods=["POST"]),
        Route(template + "/category", endpoint(category), methods=["POST"]),
        Route(template + "/comments", endpoint(comment), methods=["POST"]),
        Route("/projects/{project}/webhook-deliveries", endpoint(deliveries), methods=["GET"]),
        Route("/webhooks/flush", endpoint(flush), methods=["POST"]),
    ]
