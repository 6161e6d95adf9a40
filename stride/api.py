"""The one API object. Routers live in each app's ``api.py``; this module adds them,
the authentication, and the handler that turns domain errors into clear 4xx answers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from stride.access.api import router as access_router
from stride.access.api_auth import BearerTokenAuth, SessionViewerAuth
from stride.goals.api import router as goals_router
from stride.goals.checkins.api import router as checkin_router
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
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Domain validation answers 422 in the same shape as schema validation:
    ``{"detail": [{"loc": ["body", "<field>"], "msg": "…", "type": "value_error"}]}``."""
    detail = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for message in errors:
                detail.append(
                    {"loc": ["body", *field.split(".")], "msg": message, "type": "value_error"}
                )
    else:
        detail = [{"loc": ["body"], "msg": m, "type": "value_error"} for m in exc.messages]
    return api.create_response(request, {"detail": detail}, status=422)


api.add_router("/", access_router)
api.add_router("/", org_router)
api.add_router("/", goals_router)
api.add_router("/", checkin_router)
