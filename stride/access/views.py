"""Personal access tokens: list, create, revoke — each person's own only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from stride.access import selectors, services
from stride.access.forms import TokenForm

NEW_SECRET_KEY = "access.new_token_secret"


@login_required
@never_cache
def tokens(request: HttpRequest) -> HttpResponse:
    """List, create and revoke the viewer's own tokens. A new token's secret is shown once,
    on the page the creation redirects to (so reloading cannot mint a second token), and
    the page is never cached."""
    viewer = request.viewer  # type: ignore[attr-defined]
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                _token, secret = services.token_create(
                    viewer=viewer, name=form.cleaned_data["name"], scope=form.cleaned_data["scope"]
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                request.session[NEW_SECRET_KEY] = secret
                return redirect("access:tokens")
    else:
        form = TokenForm()
    return TemplateResponse(
        request,
        "access/tokens.html",
        {
            "form": form,
            "tokens": selectors.tokens_of(viewer),
            "new_secret": request.session.pop(NEW_SECRET_KEY, None),
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    services.token_revoke(viewer=request.viewer, token_id=token_id)  # type: ignore[attr-defined]
    return redirect("access:tokens")
