"""The one API object. Routers live in each app's ``api.py``; this module adds them,
the authentication, the rules every operation shares (JSON bodies only, every answer
documented) and the handler that turns domain errors into clear 4xx answers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser

from stride.access.api import router as access_router
from stride.access.api_auth import BearerTokenAuth, SessionViewerAuth
from stride.goals.api import router as goals_router
from stride.goals.checkins.api import router as checkin_router
from stride.lib.input import api_detail, problems_from_django, problems_from_pydantic
from stride.org.api import router as org_router
from stride.reviews.api import router as reviews_router
from stride.reviews.growth.api import router as growth_router

#: Methods whose operations take a JSON body.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
JSON = "application/json"

#: The two shapes of every error answer, as ninja and ``on_validation_error`` send them.
ERROR_SCHEMAS: dict[str, Any] = {
    "Error": {
        "title": "Error",
        "type": "object",
        "description": "A refusal with a message for people.",
        "properties": {"detail": {"title": "Detail", "type": "string"}},
        "required": ["detail"],
    },
    "ValidationErrorItem": {
        "title": "ValidationErrorItem",
        "type": "object",
        "description": "One refused value: where it was (`loc`) and why (`msg`).",
        "properties": {
            "loc": {
                "title": "Location",
                "type": "array",
                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            },
            "msg": {"title": "Message", "type": "string"},
            "type": {"title": "Error Type", "type": "string"},
        },
        "required": ["loc", "msg", "type"],
    },
    "ValidationError": {
        "title": "ValidationError",
        "type": "object",
        "description": "The request was understood but some values were refused.",
        "properties": {
            "detail": {
                "title": "Detail",
                "type": "array",
                "items": {"$ref": "#/components/schemas/ValidationErrorItem"},
            }
        },
        "required": ["detail"],
    },
}

ERROR_DESCRIPTIONS = {
    400: "The body is not a well-formed JSON object.",
    401: "Not signed in: send a personal access token or a session cookie.",
    403: "Refused: a read-only token (or a session without its CSRF token) on a write.",
    404: "Not found, or not visible to you.",
    409: "Well-formed, but against a rule between fields or against stored data (a period "
    "that ends before it starts, an alignment the owner may not make); `detail` names each "
    "field by its `loc`.",
    415: "The body is not sent as `application/json`.",
    422: "Some values do not match this document; `detail` names each one by its `loc`.",
    429: "Too many attempts; wait and try again.",
}


def _error_response(status: int) -> dict[str, Any]:
    name = "ValidationError" if status in (409, 422) else "Error"
    return {
        "description": ERROR_DESCRIPTIONS[status],
        "content": {JSON: {"schema": {"$ref": f"#/components/schemas/{name}"}}},
    }


def _answers(method: str, path: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses ``operation`` can answer, from what it takes and who may call it."""
    statuses = set()
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    if operation.get("security"):
        # Signed out; and whatever the caller may not see answers 404 (a record, or an
        # operation reserved to a role, such as the audit log).
        statuses.update({401, 404})
        if method.upper() not in {"GET", "HEAD", "OPTIONS"}:
            statuses.add(403)  # read-only token, or a session without CSRF
    if any(p["in"] == "path" for p in parameters):
        statuses.add(404)
    if parameters or has_body:
        statuses.add(422)
    if has_body or method.upper() in BODY_METHODS:
        statuses.update({400, 409, 415})
    return statuses


class ObjectParser(Parser):
    """Every body Stride takes is a JSON object. ninja would read another JSON value (a list,
    a number) as an object with no fields, so a patch whose fields are all optional would
    accept ``[null, null]`` as "change nothing"; refusing it here answers 400."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return data


class StrideAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document declares every error an operation can answer,
    with its schema, so clients (and the response checks in the tests) can rely on it."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for status in sorted(_answers(method, path, operation)):
                    responses.setdefault(str(status), _error_response(status))
        return schema


def require_json(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Answer 415 to a write whose body is not declared as ``application/json``.

    ninja parses any body as JSON whatever its declared type, so a form post or a
    ``text/plain`` request (which browsers send cross-site without a preflight) would
    otherwise be accepted. An empty body with no type passes on to the body's own
    validation (422 when a body is required)."""

    @wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        has_body = bool(request.body or request.META.get("CONTENT_TYPE"))
        if request.method in BODY_METHODS and has_body and request.content_type != JSON:
            return api.create_response(
                request,
                {
                    "detail": f"Send the body as JSON with 'Content-Type: {JSON}' "
                    f"(this request said {request.content_type or 'nothing'!r})."
                },
                status=415,
            )
        return run(request, *args, **kwargs)

    return checked


api = StrideAPI(
    title="Stride API",
    version="1",
    description=(
        "Stride's REST API. Authenticate with the browser session or a personal access "
        "token (`Authorization: Bearer …`): create one on the *Access tokens* page of the "
        "account menu (`/access/tokens/`), or exchange e-mail and password for one with "
        "`POST /api/v1/auth/token`. "
        "Every read is scoped to what the caller may see; forbidden objects answer 404. "
        "Bodies are JSON only (`Content-Type: application/json`, else 415). Lists page with "
        "at most 500 items a page."
    ),
    auth=[BearerTokenAuth(), SessionViewerAuth()],
    parser=ObjectParser(),
    urls_namespace="api",
    docs_url="/docs",
)
api.add_decorator(require_json, mode="view")


@api.exception_handler(ValidationError)
def on_domain_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Input that matches the schema but breaks a rule between fields or against stored
    data (a period ending before it starts, an alignment the owner may not make, someone
    else's key result in a check-in) answers 409 Conflict, in the same shape as a schema's
    422: ``{"detail": [{"loc": ["body", "key_results", 1, "target"], "msg": "…"}]}``.

    422 means "not what the OpenAPI document describes"; 409 "well-formed, but not allowed
    here", so a client (or a fuzzer) can tell a request it built wrong from one the
    organisation's rules refuse."""
    return api.create_response(
        request, {"detail": api_detail(problems_from_django(exc))}, status=409
    )


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """A schema's refusal: the location starts with where the value came from (``body``,
    ``query``, ``path``) followed by the field's path; the message is the one the web
    forms show for the same value."""
    detail = []
    for error in exc.errors:
        source, *rest = error.get("loc", ("body",))
        if source == "body" and rest and isinstance(rest[0], str):
            # ninja puts the handler's parameter name ("payload") after "body".
            rest = rest[1:] if rest[0] in _BODY_PARAMS else rest
        for problem in problems_from_pydantic([{**error, "loc": tuple(rest)}]):
            detail.extend(api_detail([problem], source=str(source)))
    return api.create_response(request, {"detail": detail}, status=422)


_BODY_PARAMS = frozenset({"payload"})


api.add_router("/", access_router)
api.add_router("/", org_router)
api.add_router("/", goals_router)
api.add_router("/", checkin_router)
api.add_router("/", reviews_router)
api.add_router("/", growth_router)
