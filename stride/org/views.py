"""People pages: the organisation tree, search, a person's profile, the HR import page."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from stride.access.viewer import Viewer
from stride.lib import uploads
from stride.org import importer, selectors
from stride.org.forms import PeopleImportForm, PeopleSearchForm
from stride.org.importer import ImportReport
from stride.org.models import Person
from stride.org.person_links import person_links

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
            # Pages other apps keep about the person (registered in ``person_links``).
            "app_links": person_links(viewer, subject),
        },
    )


def _require_hr(viewer: Viewer) -> None:
    # Not 403: the page's existence is nobody else's business.
    if not viewer.is_hr_admin:
        raise Http404


def _uploads_dir() -> Path:
    return Path(settings.DATA_DIR) / "uploads"


@login_required
@require_http_methods(["GET", "POST"])
def people_import(request: HttpRequest) -> HttpResponse:
    """HR admins upload an HRIS export (CSV or XLSX). When its header needs a look (columns
    no field takes, a required field without a column), the mapping step shows a select per
    field together with every row's problems, and the file waits on the server for the same
    person under a token (``stride.lib.uploads``). Otherwise problems are listed by line, or
    the result: who was created, updated and invited."""
    viewer = _viewer(request)
    _require_hr(viewer)
    if request.method != "POST":
        return _import_page(request, PeopleImportForm(), None)
    owner, directory = int(request.user.pk or 0), _uploads_dir()  # signed in: a pk
    token = request.POST.get("upload", "")
    kept = uploads.unstash(token, owner=owner, directory=directory) if token else None
    header = None
    if kept is not None:
        table, _header_map, _problems = importer.people_header(
            file=kept, sheet=request.POST.get("sheet") or None
        )
        header = table.header if table is not None else []
    form = PeopleImportForm(request.POST, request.FILES, header=header, fields=importer.FIELDS)
    if token and kept is None:
        form.add_error(None, _("The uploaded file is no longer here; please upload it again."))
    if not form.is_valid():
        return _import_page(request, form, None, status=422)
    options = form.cleaned_data
    if options["file"] is not None:  # a new file replaces any kept one
        if token:
            uploads.discard(token, owner=owner, directory=directory)
        data, token, mapping = options["file"].read(), "", None
    else:
        assert kept is not None
        data, mapping = kept, form.mapping()
    report = importer.people_import(
        actor=viewer,
        file=data,
        sheet=options["sheet"] or None,
        mapping=mapping,
        invite=options["invite"],
        dry_run=options["dry_run"],
        hold_for_mapping=mapping is None,
    )
    status = 422 if report.errors else 200
    if report.held:
        step = PeopleImportForm(
            initial={
                "upload": uploads.stash(data, owner=owner, directory=directory),
                "sheet": options["sheet"],
                "invite": options["invite"],
                "dry_run": options["dry_run"],
            },
            header=report.header,
            fields=importer.FIELDS,
            mapped=report.columns,
        )
        return _import_page(request, step, report, status=status)
    if mapping is not None and (report.errors or report.dry_run):
        # Still in the mapping step: the choices, the kept file and the problems stay.
        return _import_page(request, form, report, status=status)
    if token:
        uploads.discard(token, owner=owner, directory=directory)
    return _import_page(request, PeopleImportForm(), report, status=status)


def _import_page(
    request: HttpRequest, form: PeopleImportForm, report: ImportReport | None, status: int = 200
) -> HttpResponse:
    return TemplateResponse(
        request,
        "org/import.html",
        {
            "form": form,
            "report": report,
            "mapping_step": bool(form.mapping_fields),
            "errors": report.errors[:IMPORT_ERRORS_SHOWN] if report else [],
            "changes": report.changes[:IMPORT_CHANGES_SHOWN] if report else [],
            "invited": report.invited[:IMPORT_CHANGES_SHOWN] if report else [],
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
