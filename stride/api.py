"""The one API object. Routers live in each app's ``api.py``; this module adds them,
the authentication, and the handler that turns domain errors into clear 4xx answers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from stride.access.api import router as access_router
from stride.access.api_auth import BearerTokenAuth, SessionViewerAuth
from stride.goals.api import router as goals_router
from stride.goals.checkins.api import router as checkin_router
from stride.lib.input import api_detail, problems_from_django, problems_from_pydantic
from stride.org.api import router as org_router

api = NinjaAPI(
    title="Stride API",
    version="1",
    description=(
        "Stride's REST API. Authenticate with the browser session or a personal access "
        "token (`Authorization: Bearer …`, from `POST /api/v1/auth/token` or your profile). "
        "Every read is scoped to what the caller may see; forbidden objects answer 404."
    ),
    auth=[BearerTokenAuth(), SessionViewerAuth()],
    urls_namespace="api",
    docs_url="/docs",
)


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
