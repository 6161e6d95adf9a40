"""Personal access tokens (list, create, revoke — each person's own only) and the audit
log (HR admins only)."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from stride.access import selectors, services
from stride.access.forms import AuditFilterForm, TokenForm
from stride.access.models import AuditEntry
from stride.access.viewer import Viewer

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


@login_required
@require_safe
@never_cache
@vary_on_headers("HX-Request")
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log, newest first, filtered and paged; htmx swaps in the results. Only
    HR admins may read it: anyone else gets 404, as for any page they may not see."""
    viewer: Viewer = request.viewer  # type: ignore[attr-defined]
    if not selectors.can_read_audit_log(viewer):
        raise Http404
    form = AuditFilterForm(request.GET)
    form.is_valid()
    entries = selectors.audit_log(viewer, form.filters())
    page = Paginator(entries, selectors.AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    template = "access/audit_log.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#results"
    rows = [(entry, _changes_shown(entry)) for entry in page.object_list]
    zone = viewer.require_person().zone
    return TemplateResponse(
        request, template, {"form": form, "page": page, "rows": rows, "zone": zone}
    )


def _changes_shown(entry: AuditEntry) -> list[tuple[str, str]]:
    """A write's changes as (field, JSON) pairs; a list read's records as one pair."""
    return [(name, json.dumps(value, ensure_ascii=False)) for name, value in entry.changes.items()]
