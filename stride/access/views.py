"""Personal access tokens: list, create, revoke — each person's own only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from stride.access import selectors, services
from stride.access.forms import TokenForm


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    new_secret = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                _token, new_secret = services.token_create(
                    viewer=viewer, name=form.cleaned_data["name"], scope=form.cleaned_data["scope"]
                )
                form = TokenForm()
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
    else:
        form = TokenForm()
    return TemplateResponse(
        request,
        "access/tokens.html",
        {"form": form, "tokens": selectors.tokens_of(viewer), "new_secret": new_secret},
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    services.token_revoke(viewer=request.viewer, token_id=token_id)  # type: ignore[attr-defined]
    return redirect("access:tokens")
