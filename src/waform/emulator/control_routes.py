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


def _endpoint(emulator: Emulator, handler: Callable[[Request], Awaitable[Any]]) -> Endpoint:
    """``handler`` behind the access check, with PAPI errors and JSON answers."""

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


class _ControlApi:
    """One method per control endpoint (the table is :func:`control_routes`)."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def dto(self, record: Record) -> dict[str, Any]:
        return record.full_dto(self.emulator.analytics_json("DAY"))

    def key(self, request: Request) -> tuple[str, str, str]:
        p = request.path_params
        return p["project"], p["name"], self.emulator.language(p["language"])

    async def body(self, request: Request, model: type[WireModel]) -> Any:
        raw = await request.body()
        return parse_model(model, parse_json(raw) if raw.strip() else {})

    async def health(self, request: Request) -> Any:
        now = self.emulator.clock.now()
        return {"ok": True, "now": now, "nowIso": iso(now), "state": self.emulator.store.path}

    async def reset(self, request: Request) -> Any:
        self.emulator.store.reset()
        self.emulator.limiter.configure(None)
        return {"ok": True}

    async def clock(self, request: Request) -> Any:
        now = self.emulator.clock.now()
        return {"now": now, "nowIso": iso(now), "offset": self.emulator.clock.offset()}

    async def advance(self, request: Request) -> Any:
        data = await self.body(request, _Advance)
        self.emulator.clock.advance(data.seconds + data.days * 86_400)
        self.emulator.settle()
        return await self.clock(request)

    async def set_clock(self, request: Request) -> Any:
        data = await self.body(request, _SetClock)
        self.emulator.clock.set(data.now)
        self.emulator.settle()
        return await self.clock(request)

    async def settings(self, request: Request) -> Any:
        if request.method == "PUT":
            data = await self.body(request, _Settings)
            if data.reviewDelaySeconds is not None:
                self.emulator.store.set_meta("review_delay", repr(data.reviewDelaySeconds))
            rewrites = data.model_dump(
                include={"literal", "missingExamples", "percentEncodedUrls"}, exclude_none=True
            )
            if rewrites:
                stored = self.emulator.store.get_meta_json("rewrites") or {}
                self.emulator.store.set_meta_json("rewrites", {**stored, **rewrites})
        current = self.emulator.rewrites()
        return {
            "reviewDelaySeconds": self.emulator.review_delay,
            "literal": current.literal,
            "missingExamples": list(current.missing_examples),
            "percentEncodedUrls": list(current.percent_encoded_urls),
        }

    async def faults(self, request: Request) -> Any:
        if request.method == "DELETE":
            self.emulator.faults.configure(None)
        elif request.method == "PUT":
            data = parse_json(await request.body())
            if not isinstance(data, dict):
                raise invalid_input(["body must be an object"])
            try:
                armed = FaultConfig.from_json({_snake(k): v for k, v in data.items()})
            except (TypeError, ValueError, re.error) as exc:
                raise invalid_input([str(exc)]) from None
            self.emulator.faults.configure(armed)
        config = self.emulator.faults.config()
        return {
            "faults": None
            if config is None
            else {_camel(k): v for k, v in config.to_json().items()}
        }

    async def rate_limit(self, request: Request) -> Any:
        if request.method == "DELETE":
            self.emulator.limiter.configure(None)
        elif request.method == "PUT":
            data = await self.body(request, _RateLimit)
            self.emulator.limiter.configure(data.requestsPerSecond)
        return {"requestsPerSecond": self.emulator.limiter.limit()}

    async def requests_log(self, request: Request) -> Any:
        project = request.path_params.get("project") or request.query_params.get("project")
        if request.method == "DELETE":
            self.emulator.store.clear_requests(project)
            return {"count": 0, "requests": []}
        items = self.emulator.store.requests(project)
        return {"count": len(items), "requests": items}

    async def init_project(self, request: Request) -> Any:
        self.emulator.store.add_project(request.path_params["project"], self.emulator.clock.now())
        return {"projectId": request.path_params["project"]}

    async def complete(self, request: Request) -> Any:
        data = await self.body(request, _Complete)
        verdict = None
        if data.outcome == "APPROVED":
            verdict = Verdict(True, category=data.category)
        elif data.outcome == "REJECTED":
            verdict = Verdict(
                False, data.rejectionCode or "NONE", reason="Rejected by control API."
            )
        done = self.emulator.complete_reviews(
            request.path_params["project"], name=data.name, language=data.language, verdict=verdict
        )
        return {"completed": done}

    async def add_template(self, request: Request) -> Any:
        data = await self.body(request, _AddTemplate)
        record = self.emulator.meta_add(
            request.path_params["project"],
            name=data.name,
            language=self.emulator.language(data.language),
            category=data.category,
            details=data.details.to_wire(),
            state=data.state,
            quality_score=data.qualityScore,
            meta_generated=data.isMetaGenerated,
        )
        return Response(dumps(self.dto(record)), status_code=201, media_type="application/json")

    async def force_state(self, request: Request) -> Any:
        data = await self.body(request, _State)
        return self.dto(
            self.emulator.meta_force_state(*self.key(request), data.state, data.rejectionCode)
        )

    async def quality(self, request: Request) -> Any:
        data = await self.body(request, _Quality)
        return self.dto(self.emulator.meta_quality(*self.key(request), data.qualityScore))

    async def category(self, request: Request) -> Any:
        data = await self.body(request, _Category)
        return self.dto(
            self.emulator.meta_category(*self.key(request), data.category, future=data.future)
        )

    async def comment(self, request: Request) -> Any:
        data = await self.body(request, _Comment)
        result = self.emulator.comment(*self.key(request), data.comment, author=data.author)
        return Response(dumps(result), status_code=201, media_type="application/json")

    async def deliveries(self, request: Request) -> Any:
        return {"deliveries": self.emulator.webhooks.deliveries(request.path_params.get("project"))}

    async def flush(self, request: Request) -> Any:
        self.emulator.settle()
        await self.emulator.webhooks.deliver_due(force=True)
        return {"pending": self.emulator.webhooks.pending_count()}


def control_routes(emulator: Emulator) -> list[Route]:
    api = _ControlApi(emulator)
    template = "/projects/{project}/templates/{name}/languages/{language}"
    return [
        Route("/health", _endpoint(emulator, api.health), methods=["GET"]),
        Route("/reset", _endpoint(emulator, api.reset), methods=["POST"]),
        Route("/clock", _endpoint(emulator, api.clock), methods=["GET"]),
        Route("/clock/advance", _endpoint(emulator, api.advance), methods=["POST"]),
        Route("/clock/set", _endpoint(emulator, api.set_clock), methods=["POST"]),
        Route("/settings", _endpoint(emulator, api.settings), methods=["GET", "PUT"]),
        Route("/faults", _endpoint(emulator, api.faults), methods=["GET", "PUT", "DELETE"]),
        Route("/rate-limit", _endpoint(emulator, api.rate_limit), methods=["GET", "PUT", "DELETE"]),
        Route("/requests", _endpoint(emulator, api.requests_log), methods=["GET", "DELETE"]),
        Route(
            "/projects/{project}/requests",
            _endpoint(emulator, api.requests_log),
            methods=["GET", "DELETE"],
        ),
        Route("/projects/{project}", _endpoint(emulator, api.init_project), methods=["POST"]),
        Route(
            "/projects/{project}/reviews/complete",
            _endpoint(emulator, api.complete),
            methods=["POST"],
        ),
        Route(
            "/projects/{project}/templates", _endpoint(emulator, api.add_template), methods=["POST"]
        ),
        Route(template + "/state", _endpoint(emulator, api.force_state), methods=["POST"]),
        Route(template + "/quality", _endpoint(emulator, api.quality), methods=["POST"]),
        Route(template + "/category", _endpoint(emulator, api.category), methods=["POST"]),
        Route(template + "/comments", _endpoint(emulator, api.comment), methods=["POST"]),
        Route(
            "/projects/{project}/webhook-deliveries",
            _endpoint(emulator, api.deliveries),
            methods=["GET"],
        ),
        Route("/webhooks/flush", _endpoint(emulator, api.flush), methods=["POST"]),
    ]
