from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from stride.access.models import AuditEntry
from stride.access.viewer import Viewer
from stride.org.importer import ImportReport, RowError, people_import
from stride.org.models import Person, Team, User
from stride.testing import Cast, make_csv, row, snapshot, table_sizes


def run(cast: Cast, text: str, *, dry_run: bool = False) -> ImportReport:
    return people_import(actor=cast.viewer(cast.hr), file=text.encode(), dry_run=dry_run)


def located(report: ImportReport) -> set[tuple[int, str]]:
    return {(error.line, error.field) for error in report.errors}


ORG = make_csv(
    [
        row("ceo@acme.test", "Casey Chief", title="CEO", team="Leadership", external_id="E1"),
        row(
            "lee@acme.test",
            "Lee Lead",
            title="Lead",
            team="Platform",
            manager="ceo@acme.test",
            time_zone="Europe/Berlin",
            hire_date="2021-09-15",
            external_id="E2",
        ),
        # Reports to someone further down the file.
        row("pat@acme.test", "Pat Person", team="Platform", manager="kim@acme.test"),
        row("kim@acme.test", "Kim Keen", team="platform", manager="lee@acme.test"),
        # Reports to someone already in Stride.
        row("new@acme.test", "Nia New", manager="manager@example.com", status="on_leave"),
    ]
)


# --- Creating -------------------------------------------------------------------------------


def test_it_creates_people_with_their_fields_and_new_teams(cast: Cast) -> None:
    report = run(cast, ORG)

    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (5, 0, 0)
    lee = Person.objects.get(email="lee@acme.test")
    assert lee.name == "Lee Lead"
    assert lee.title == "Lead"
    assert lee.team is not None and lee.team.name == "Platform"
    assert lee.time_zone == "Europe/Berlin"
    assert lee.hire_date == date(2021, 9, 15)
    assert lee.external_id == "E2"
    assert lee.status == Person.Status.ACTIVE
    # "platform" is the same team as "Platform": no near-duplicate teams.
    assert Person.objects.get(email="kim@acme.test").team == lee.team
    assert set(
        Team.objects.filter(name__in=["Leadership", "Platform"]).values_list("name", flat=True)
    ) == {
        "Leadership",
        "Platform",
    }
    assert Person.objects.get(email="new@acme.test").status == Person.Status.ON_LEAVE


def test_new_people_get_a_login_they_cannot_use_until_they_set_a_password(cast: Cast) -> None:
    run(cast, ORG)

    user = User.objects.get(email="pat@acme.test")
    assert user.person.email == "pat@acme.test"
    assert not user.has_usable_password()


def test_new_people_are_placed_in_the_tree_with_correct_paths(cast: Cast) -> None:
    run(cast, ORG)

    people = {p.email: p for p in Person.objects.all()}
    ceo, lee, kim, pat = (people[f"{n}@acme.test"] for n in ("ceo", "lee", "kim", "pat"))
    assert ceo.manager is None and ceo.path == f"/{ceo.pk}/"
    assert pat.manager == kim
    assert pat.path == f"/{ceo.pk}/{lee.pk}/{kim.pk}/{pat.pk}/"
    assert pat.ancestor_ids == [ceo.pk, lee.pk, kim.pk]
    manager = people["manager@example.com"]
    new = people["new@acme.test"]
    assert new.path == f"{manager.path}{new.pk}/"
    assert new.is_in_subtree_of(people["skip@example.com"])


def test_each_created_person_is_audited(cast: Cast) -> None:
    run(cast, ORG)

    created = AuditEntry.objects.filter(action="person.create", actor=cast.hr)
    assert created.count() == 5
    pat = created.get(target_id=str(Person.objects.get(email="pat@acme.test").pk))
    assert pat.changes["manager"] == "kim@acme.test"
    assert pat.changes["team"] == "Platform"
    assert AuditEntry.objects.filter(action="team.create", target_label="Platform").count() == 1


# --- Every error kind: its line, its column, and nothing written ------------------------------


def assert_rejected(cast: Cast, text: str, expected: set[tuple[int, str]]) -> ImportReport:
    before, people_before = table_sizes(), snapshot()
    report = run(cast, text)
    assert not report.ok
    assert expected <= located(report), report.errors
    assert table_sizes() == before
    assert snapshot() == people_before
    return report


def test_an_unknown_manager_is_reported_with_its_line(cast: Cast) -> None:
    report = assert_rejected(
        cast,
        make_csv(
            [
                row("one@acme.test", "One"),
                row("two@acme.test", "Two", manager="ghost@acme.test"),
            ]
        ),
        {(3, "manager_email")},
    )
    assert "ghost@acme.test" in report.errors[0].message


def test_a_cycle_within_the_file_is_reported_on_each_of_its_rows(cast: Cast) -> None:
    report = assert_rejected(
        cast,
        make_csv(
            [
                row("ok@acme.test", "Fine"),
                row("a@acme.test", "A", manager="b@acme.test"),
                row("b@acme.test", "B", manager="c@acme.test"),
                row("c@acme.test", "C", manager="a@acme.test"),
            ]
        ),
        {(3, "manager_email"), (4, "manager_email"), (5, "manager_email")},
    )
    assert (2, "manager_email") not in located(report)
    assert "cycle" in report.errors[0].message


def test_a_cycle_formed_with_people_already_in_stride_is_caught(cast: Cast) -> None:
    # skip manages manager, who manages alice: putting skip under alice closes a loop.
    report = assert_rejected(
        cast,
        make_csv([row("skip@example.com", "Sam Skip", manager="alice@example.com")]),
        {(2, "manager_email")},
    )
    message = report.errors[0].message
    assert "alice@example.com" in message and "manager@example.com" in message


def test_nobody_can_be_their_own_manager(cast: Cast) -> None:
    assert_rejected(
        cast,
        make_csv([row("me@acme.test", "Me", manager="me@acme.test")]),
        {(2, "manager_email")},
    )


def test_a_duplicate_email_is_reported_on_the_second_line(cast: Cast) -> None:
    report = assert_rejected(
        cast,
        make_csv(
            [
                row("dup@acme.test", "First"),
                row("other@acme.test", "Other"),
                row("DUP@acme.test", "Second"),
            ]
        ),
        {(4, "email")},
    )
    assert "line 2" in report.errors[0].message


def test_a_bad_time_zone_is_reported(cast: Cast) -> None:
    assert_rejected(
        cast,
        make_csv([row("a@acme.test", "A"), row("b@acme.test", "B", time_zone="Mars/Olympus")]),
        {(3, "time_zone")},
    )


@pytest.mark.parametrize(
    "value", ["15/09/2021", "2021-02-30", "2021-9-1", "yesterday", "0001-01-01", "9999-12-31"]
)
def test_a_bad_hire_date_is_reported(cast: Cast, value: str) -> None:
    assert_rejected(cast, make_csv([row("a@acme.test", "A", hire_date=value)]), {(2, "hire_date")})


def test_a_bad_status_is_reported(cast: Cast) -> None:
    report = assert_rejected(
        cast, make_csv([row("a@acme.test", "A", status="retired")]), {(2, "status")}
    )
    assert "on_leave" in report.errors[0].message


def test_missing_required_fields_are_reported(cast: Cast) -> None:
    assert_rejected(
        cast,
        make_csv([row("a@acme.test", "A"), row("", "No Mail"), row("b@acme.test", "")]),
        {(3, "email"), (4, "name")},
    )


def test_an_invalid_email_is_reported(cast: Cast) -> None:
    assert_rejected(cast, make_csv([row("not-an-address", "A")]), {(2, "email")})


def test_a_column_nobody_maps_is_listed_as_ignored_and_the_rows_still_import(cast: Cast) -> None:
    report = run(cast, make_csv([["a@acme.test", "A", "x"]], header=["email", "name", "salary"]))
    assert report.ok, report.errors
    assert report.ignored == ["salary"]
    assert Person.objects.get(email="a@acme.test").name == "A"


def test_a_missing_required_column_is_reported_on_the_header_line(cast: Cast) -> None:
    assert_rejected(
        cast, make_csv([["a@acme.test", "CEO"]], header=["email", "title"]), {(1, "name")}
    )


def test_an_empty_file_is_reported(cast: Cast) -> None:
    assert_rejected(cast, "", {(1, "header")})


def test_a_row_with_more_cells_than_columns_is_reported(cast: Cast) -> None:
    assert_rejected(
        cast, make_csv([["a@acme.test", "A", "extra"]], header=["email", "name"]), {(2, "row")}
    )


def test_text_that_is_not_utf8_is_reported_with_its_line(cast: Cast) -> None:
    data = make_csv([row("a@acme.test", "A"), row("b@acme.test", "B")]).encode()
    data = data.replace(b"B", b"\xff")
    before = table_sizes()
    report = people_import(actor=cast.viewer(cast.hr), file=data)
    assert located(report) == {(3, "file")}
    assert table_sizes() == before


def test_line_numbers_count_blank_lines_and_quoted_line_breaks(cast: Cast) -> None:
    text = (
        "email,name,title\n"
        'a@acme.test,A,"Two\nlines"\n'  # lines 2-3
        "\n"  # line 4
        "b@acme.test,B,\n"  # line 5
        "c@acme.test,,\n"  # line 6
    )
    report = run(cast, text)
    assert report.errors == [RowError(6, "name", "is required")]


def test_every_problem_in_the_file_is_reported_at_once(cast: Cast) -> None:
    report = assert_rejected(
        cast,
        make_csv(
            [
                row("a@acme.test", "A", time_zone="Nowhere"),
                row("b@acme.test", "B", hire_date="soon"),
                row("c@acme.test", "C", manager="ghost@acme.test"),
            ]
        ),
        {(2, "time_zone"), (3, "hire_date"), (4, "manager_email")},
    )
    assert [error.line for error in report.errors] == [2, 3, 4]


def test_an_email_that_belongs_to_someone_else_cannot_be_taken(cast: Cast) -> None:
    Person.objects.filter(pk=cast.alice.pk).update(external_id="HR-A")
    # The row is alice by external id but asks for bob's address.
    assert_rejected(
        cast,
        make_csv([row("bob@example.com", "Alice Report", external_id="HR-A")]),
        {(2, "email")},
    )


# --- Updating, idempotency and the tree -------------------------------------------------------


def cast_rows(cast: Cast) -> list[list[str]]:
    """The cast as an HR export would list it."""
    rows = []
    for person in Person.objects.select_related("team", "manager").order_by("pk"):
        rows.append(
            row(
                person.email,
                person.name,
                title=person.title,
                team=person.team.name if person.team else "",
                manager=person.manager.email if person.manager else "",
                time_zone=person.time_zone,
                hire_date=person.hire_date.isoformat() if person.hire_date else "",
                status=person.status,
                external_id=person.external_id or "",
            )
        )
    return rows


def test_importing_the_same_file_twice_changes_nothing_the_second_time(cast: Cast) -> None:
    first = run(cast, ORG)
    assert first.created == 5
    after_first = snapshot()
    audit_after_first = AuditEntry.objects.count()

    second = run(cast, ORG)

    assert second.ok
    assert (second.created, second.updated, second.unchanged) == (0, 0, 5)
    assert AuditEntry.objects.count() == audit_after_first
    assert snapshot() == after_first


def test_reimporting_the_current_organisation_writes_no_queries(cast: Cast) -> None:
    text = make_csv(cast_rows(cast))
    with CaptureQueriesContext(connection) as queries:
        report = run(cast, text)
    assert report.unchanged == 8
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_changed_fields_are_updated_and_audited_with_old_and_new_values(cast: Cast) -> None:
    rows = cast_rows(cast)
    for r in rows:
        if r[0] == "alice@example.com":
            r[2] = "Senior Engineer"
            r[5] = "Europe/Lisbon"
            r[6] = "2020-02-29"
    report = run(cast, make_csv(rows))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 7)
    alice = Person.objects.get(pk=cast.alice.pk)
    assert alice.title == "Senior Engineer"
    assert alice.time_zone == "Europe/Lisbon"
    assert alice.hire_date == date(2020, 2, 29)
    entry = AuditEntry.objects.get(action="person.update")
    assert entry.target_id == str(alice.pk)
    assert entry.actor == cast.hr
    assert entry.changes == {
        "title": ["Engineer", "Senior Engineer"],
        "time_zone": ["Europe/Berlin", "Europe/Lisbon"],
        "hire_date": [None, "2020-02-29"],
    }


def test_a_manager_change_moves_the_whole_subtree(cast: Cast) -> None:
    # manager (with alice and bob below) moves under outsider; alice and bob are not in the file.
    report = run(
        cast,
        make_csv(
            [["manager@example.com", "Mia Manager", "outsider@example.com"]],
            header=["email", "name", "manager_email"],
        ),
    )

    assert report.ok and report.updated == 1
    skip, outsider, manager, alice, bob = (
        Person.objects.get(pk=p.pk)
        for p in (cast.skip, cast.outsider, cast.manager, cast.alice, cast.bob)
    )
    assert manager.manager == outsider
    assert manager.path == f"/{skip.pk}/{outsider.pk}/{manager.pk}/"
    assert alice.path == f"{manager.path}{alice.pk}/"
    assert bob.path == f"{manager.path}{bob.pk}/"
    assert alice.is_in_subtree_of(outsider)
    assert report.moved == 3
    entry = AuditEntry.objects.get(action="person.update")
    assert entry.changes == {"manager": ["skip@example.com", "outsider@example.com"]}
    # Only the changed person is audited; the paths below follow silently.
    assert AuditEntry.objects.filter(action="person.update").count() == 1


def test_an_empty_manager_cell_makes_someone_top_level(cast: Cast) -> None:
    run(
        cast,
        make_csv(
            [["manager@example.com", "Mia Manager", ""]], header=["email", "name", "manager_email"]
        ),
    )
    manager = Person.objects.get(pk=cast.manager.pk)
    alice = Person.objects.get(pk=cast.alice.pk)
    assert manager.manager is None and manager.path == f"/{manager.pk}/"
    assert alice.path == f"/{manager.pk}/{alice.pk}/"


def test_columns_left_out_of_the_file_are_not_touched(cast: Cast) -> None:
    before = Person.objects.get(pk=cast.bob.pk)
    report = run(cast, make_csv([["bob@example.com", "Bob Report"]], header=["email", "name"]))
    after = Person.objects.get(pk=cast.bob.pk)
    assert report.unchanged == 1
    assert (after.title, after.team_id, after.manager_id, after.time_zone) == (
        before.title,
        before.team_id,
        before.manager_id,
        before.time_zone,
    )


def test_people_are_matched_by_external_id_before_email(cast: Cast) -> None:
    Person.objects.filter(pk=cast.alice.pk).update(external_id="HR-A")
    report = run(
        cast,
        make_csv(
            [["alice.r@example.com", "Alice Report", "HR-A"]],
            header=["email", "name", "external_id"],
        ),
    )
    assert (report.created, report.updated) == (0, 1)
    alice = Person.objects.get(pk=cast.alice.pk)
    assert alice.email == "alice.r@example.com"
    # The login follows the new address.
    assert alice.user is not None and alice.user.email == "alice.r@example.com"


def test_a_dry_run_reports_the_counts_but_writes_nothing(cast: Cast) -> None:
    before, people_before = table_sizes(), snapshot()
    rows = cast_rows(cast)
    rows[0][2] = "Chief Product Officer"
    rows.append(row("fresh@acme.test", "Fresh Face", team="Brand New Team"))

    report = run(cast, make_csv(rows), dry_run=True)

    assert report.ok and report.dry_run
    assert (report.created, report.updated, report.unchanged) == (1, 1, 7)
    assert report.teams_created == 1
    assert table_sizes() == before
    assert snapshot() == people_before


def test_only_hr_admins_and_the_system_may_import(cast: Cast) -> None:
    with pytest.raises(Http404):
        people_import(actor=cast.viewer(cast.manager), file=ORG)
    assert people_import(actor=Viewer(person=None, via="cli"), file=ORG).created == 5


def test_rows_can_be_given_as_mappings(cast: Cast) -> None:
    report = people_import(
        actor=None,
        rows=[
            {"email": "m1@acme.test", "name": "M One"},
            {"email": "m2@acme.test", "name": "", "manager_email": None},
        ],
    )
    assert report.errors == [RowError(3, "name", "is required")]


def test_the_number_of_queries_does_not_grow_with_the_number_of_rows(cast: Cast) -> None:
    def import_new(prefix: str, count: int) -> int:
        rows = [row(f"{prefix}-boss@acme.test", "Boss", team=f"{prefix} team")]
        rows += [
            row(
                f"{prefix}{i}@acme.test",
                f"Person {i}",
                team=f"{prefix} team",
                manager=f"{prefix}-boss@acme.test",
                external_id=f"{prefix}-{i}",
            )
            for i in range(count)
        ]
        with CaptureQueriesContext(connection) as queries:
            report = run(cast, make_csv(rows))
        assert report.created == count + 1
        return len(queries)

    assert import_new("small", 5) == import_new("large", 40)


def test_a_spreadsheet_export_with_a_bom_and_windows_line_ends_is_read(cast: Cast) -> None:
    data = "\ufeffEmail,Name\r\nxl@acme.test,Excel Export\r\n,\r\n".encode()
    report = people_import(actor=cast.viewer(cast.hr), file=data)
    assert report.ok, report.errors
    assert report.created == 1
    assert Person.objects.get(email="xl@acme.test").name == "Excel Export"


def test_a_changed_email_moves_the_login_so_the_old_address_no_longer_signs_in(
    cast: Cast,
) -> None:
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    from stride.testing import PASSWORD

    run(cast, make_csv([row("ceo@acme.test", "Casey Chief", external_id="E1")]))
    user = User.objects.get(email="ceo@acme.test")
    user.set_password(PASSWORD)
    user.save()
    report = run(cast, make_csv([row("casey@acme.test", "Casey Chief", external_id="E1")]))
    assert not report.errors
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, email="ceo@acme.test", password=PASSWORD) is None
    assert authenticate(request, email="casey@acme.test", password=PASSWORD) == user


def test_imported_addresses_are_verified_login_addresses(cast: Cast) -> None:
    from allauth.account.models import EmailAddress

    run(cast, ORG)
    address = EmailAddress.objects.get(email="kim@acme.test")
    assert address.verified and address.primary
    assert address.user == User.objects.get(email="kim@acme.test")


# --- HR systems' files: aliases, mapping, XLSX, header problems with row problems ----------


def test_header_problems_and_row_problems_are_reported_together(cast: Cast) -> None:
    text = make_csv(
        [["A Person", "Mars/Base", "2024-13-01"], ["B Person", "UTC", "2024-01-01"]],
        header=["Full Name", "Time Zone", "Start Date"],
    )
    report = assert_rejected(cast, text, {(1, "email"), (2, "time_zone"), (2, "hire_date")})
    assert report.missing == ["email"]
    # The missing column is reported once, on the header line, not once per row.
    assert [e.line for e in report.errors if e.field == "email"] == [1]


def test_an_xlsx_file_reports_problems_by_row(cast: Cast) -> None:
    from stride.org.tests.hr_files import HR_BAD_ROWS, as_xlsx

    report = people_import(actor=cast.viewer(cast.hr), file=as_xlsx(HR_BAD_ROWS))
    assert report.unit == "row"
    assert str(report.errors[0]).startswith("row 3: email: ")


def test_a_mapping_names_columns_that_no_alias_knows(cast: Cast) -> None:
    text = make_csv([["kim@acme.test", "Kim Keen", "Berlin"]], header=["Login", "Who", "Office"])
    report = people_import(
        actor=cast.viewer(cast.hr), file=text, mapping={"email": "Login", "name": "Who"}
    )
    assert report.ok, report.errors
    assert report.ignored == ["Office"]
    assert Person.objects.get(email="kim@acme.test").name == "Kim Keen"


def test_holding_for_mapping_checks_every_row_but_writes_nothing(cast: Cast) -> None:
    before = table_sizes()
    text = make_csv([["kim@acme.test", "Kim Keen", "x"]], header=["Email", "Name", "Office"])
    report = people_import(actor=cast.viewer(cast.hr), file=text, hold_for_mapping=True)
    assert report.held and report.ok and report.created == 1
    assert table_sizes() == before


def test_the_audit_entry_of_a_new_person_holds_what_the_report_says_was_created(
    cast: Cast,
) -> None:
    report = run(cast, ORG)
    created = {c.email: c.changes for c in report.changes if c.action == "created"}
    for email, changes in created.items():
        person = Person.objects.get(email=email)
        entry = AuditEntry.objects.get(action="person.create", target_id=str(person.pk))
        assert entry.changes == changes
        assert entry.target_label == person.name
