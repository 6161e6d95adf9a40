"""People pages: the organisation tree, search, a person's profile, the HR import page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from stride.access.viewer import Viewer
from stride.org import importer, selectors
from stride.org.forms import PeopleImportForm, PeopleSearchForm
from stride.org.models import Person

DIRECTORY_PAGE_SIZE = 25
TREE_PAGE_SIZE = 100
PROFILE_REPORTS_SHOWN = 50
IMPORT_ERRORS_SHOWN = 500
IMPORT_CHANGES_SHOWN = 200


def _viewer(request: HttpRequest) -> Viewer:
    return request.viewer  # type: ignore[attr-defined]


def _page(request: HttpRequest, qs: QuerySet[Person], per_page: int) -> Page[Person]:
    # A bad or too-large page number shows the last page rather than an error.
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


@login_required
@require_safe
@vary_on_headers("HX-Request")
def directory(request: HttpRequest) -> HttpResponse:
    """Search by name, e-mail, title or team; htmx swaps in the results as the user types."""
    viewer = _viewer(request)
    form = PeopleSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = _page(
        request, selectors.people_search(viewer, query).order_by("name", "id"), DIRECTORY_PAGE_SIZE
    )
    template = "org/directory.html#results" if request.htmx else "org/directory.html"  # type: ignore[attr-defined]
    return TemplateResponse(request, template, {"form": form, "q": query, "page": page})


@login_required
@require_safe
@vary_on_headers("HX-Request")
def tree(request: HttpRequest) -> HttpResponse:
    """The reporting tree from the top; each node loads its direct reports on demand."""
    viewer = _viewer(request)
    page = _page(request, selectors.tree_roots(viewer).order_by("name", "id"), TREE_PAGE_SIZE)
    context: dict[str, object] = {"manager": None, "chain": [], "page": page}
    if request.htmx:  # type: ignore[attr-defined]
        return TemplateResponse(request, "org/tree.html#nodes", context)
    return TemplateResponse(request, "org/tree.html", context)


@login_required
@require_safe
@vary_on_headers("HX-Request")
def reports(request: HttpRequest, person_id: int) -> HttpResponse:
    """One person's direct reports: a tree branch for htmx, a page of its own without."""
    viewer = _viewer(request)
    manager = selectors.person_for_viewer(viewer, person_id)
    qs = selectors.direct_reports(viewer, manager).order_by("name", "id")
    page = _page(request, qs, TREE_PAGE_SIZE)
    context: dict[str, object] = {"manager": manager, "page": page}
    if request.htmx:  # type: ignore[attr-defined]
        # The first page fills an expanded node; later pages append to it ("Show more").
        partial = "nodes" if page.number > 1 else "branch"
        return TemplateResponse(request, f"org/tree.html#{partial}", context)
    context["chain"] = [*selectors.managers_of(viewer, manager), manager]
    return TemplateResponse(request, "org/tree.html", context)


@login_required
@require_safe
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    viewer = _viewer(request)
    subject = selectors.person_for_viewer(viewer, person_id)
    # One more than shown tells whether there are more without a count query.
    shown = list(
        selectors.direct_reports(viewer, subject).order_by("name", "id")[
            : PROFILE_REPORTS_SHOWN + 1
        ]
    )
    chain = selectors.managers_of(viewer, subject)
    # The direct manager only when the viewer may see them (one who left may not be).
    manager = chain[-1] if chain and chain[-1].pk == subject.manager_id else None
    return TemplateResponse(
        request,
        "org/person.html",
        {
            "person": subject,
            "manager": manager,
            "chain": chain,
            "reports": shown[:PROFILE_REPORTS_SHOWN],
            "more_reports": len(shown) > PROFILE_REPORTS_SHOWN,
            "hr_details": selectors.can_see_hr_details(viewer, subject),
            # The check-in history is linked for those who may read it by their place in
            # the tree (no query); an accountability partner reaches it from the check-in.
            "checkins_readable": selectors.can_see_hr_details(viewer, subject),
        },
    )


def _require_hr(viewer: Viewer) -> None:
    # Not 403: the page's existence is nobody else's business.
    if not viewer.is_hr_admin:
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def people_import(request: HttpRequest) -> HttpResponse:
    """HR admins upload an HRIS export; errors are listed by line, else the counts."""
    viewer = _viewer(request)
    _require_hr(viewer)
    report = None
    status = 200
    if request.method == "POST":
        form = PeopleImportForm(request.POST, request.FILES)
        if form.is_valid():
            report = importer.people_import(
                actor=viewer,
                file=form.cleaned_data["file"].read(),
                dry_run=form.cleaned_data["dry_run"],
            )
            if not report.ok:
                status = 422
        else:
            status = 422
    else:
        form = PeopleImportForm()
    return TemplateResponse(
        request,
        "org/import.html",
        {
            "form": form,
            "report": report,
            "errors": report.errors[:IMPORT_ERRORS_SHOWN] if report else [],
            "changes": report.changes[:IMPORT_CHANGES_SHOWN] if report else [],
            "errors_shown": IMPORT_ERRORS_SHOWN,
            "changes_shown": IMPORT_CHANGES_SHOWN,
        },
        status=status,
    )


@login_required
@require_safe
def import_template(request: HttpRequest) -> HttpResponse:
    """An example CSV with every column, to start an import file from."""
    _require_hr(_viewer(request))
    response = HttpResponse(importer.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="stride-people-template.csv"'
    return response
