"""The demo organisation: deterministic, believable, and keeping the invariants of the
reporting tree, key-result history and weekly check-ins."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery

from stride.access.viewer import viewer_for_person
from stride.demo import generator
from stride.demo.generator import GeneratorError, generate
from stride.goals.models import (
    CheckIn,
    CheckInComment,
    CheckInPreference,
    KeyResult,
    KeyResultUpdate,
    Objective,
)
from stride.org import services as org
from stride.org.models import Person, Team
from stride.testing import Cast

TODAY = date(2025, 11, 26)  # a Wednesday in the middle of Q4
SMALL = {"people": 40, "weeks": 3, "today": TODAY}


def _person(email: str) -> Person:
    return Person.objects.select_related("team", "manager", "checkin_preference").get(email=email)


def _snapshot() -> dict[str, Any]:
    return {
        "people": list(
            Person.objects.order_by("id").values_list(
                "name", "email", "title", "team__name", "manager__email", "time_zone", "hire_date"
            )
        ),
        "objectives": list(
            Objective.objects.order_by("id").values_list(
                "title", "level", "owner__email", "visibility", "status", "parent__title"
            )
        ),
        "key_results": list(
            KeyResult.objects.order_by("id").values_list("title", "kind", "target", "current")
        ),
        "checkins": list(
            CheckIn.objects.order_by("id").values_list(
                "person__email", "week_start", "mood", "progress", "submitted_at"
            )
        ),
    }


def _generated(seed: int) -> dict[str, Any]:
    """Generate, photograph and roll back, so the next generation starts empty again."""
    with transaction.atomic():
        generate(seed=seed, **SMALL)  # type: ignore[arg-type]
        snapshot = _snapshot()
        transaction.set_rollback(True)
    return snapshot


@pytest.fixture
def small_org(db: None) -> generator.Summary:
    return generate(seed=7, **SMALL)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_organisation() -> None:
    first, second = _generated(11), _generated(11)
    assert first["people"] and first["checkins"]
    assert first == second


@pytest.mark.django_db
def test_a_different_seed_gives_a_different_organisation() -> None:
    first, second = _generated(11), _generated(12)
    assert [p[1] for p in first["people"]] != [p[1] for p in second["people"]]
    assert first["objectives"] != second["objectives"]


def _own_weeks(email: str, people: int) -> dict[str, Any]:
    """One demo login's own goals and check-ins in an organisation of ``people``."""
    with transaction.atomic():
        generate(seed=5, people=people, weeks=3, today=TODAY)
        own = {
            "objectives": list(
                Objective.objects.filter(owner__email=email)
                .order_by("id")
                .values_list("title", "visibility", "status", "key_results__title")
            ),
            "checkins": list(
                CheckIn.objects.filter(person__email=email)
                .order_by("week_start")
                .values_list("week_start", "mood", "progress", "submitted_at")
            ),
            "updates": list(
                KeyResultUpdate.objects.filter(author__email=email)
                .order_by("at")
                .values_list("key_result__title", "value", "confidence", "at")
            ),
        }
        transaction.set_rollback(True)
    return own


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["manager@example.com", "employee@example.com"])
def test_a_demo_logins_own_goals_and_weeks_do_not_depend_on_the_organisations_size(
    email: str,
) -> None:
    # What the benchmark relies on: the same viewer in a small and a large organisation.
    small, large = _own_weeks(email, 40), _own_weeks(email, 90)
    assert small["objectives"] and small["checkins"] and small["updates"]
    assert small == large


def test_every_demo_login_signs_in_with_the_password_demo(small_org: generator.Summary) -> None:
    emails = [login.email for login in small_org.logins]
    assert emails == [
        "hr@example.com",
        "manager@example.com",
        "employee@example.com",
        "peer@example.com",
        "partner@example.com",
        "salesmanager@example.com",
        "rep@example.com",
    ]
    for email in emails:
        user = authenticate(email=email, password="demo")
        assert user is not None, email
        assert user.person.email == email
    assert authenticate(email="manager@example.com", password="wrong") is None


def test_other_people_have_a_login_that_cannot_sign_in_with_a_password(
    small_org: generator.Summary,
) -> None:
    someone = Person.objects.exclude(email__in=[x.email for x in small_org.logins]).first()
    assert someone is not None and someone.user is not None
    assert not someone.user.has_usable_password()


def test_the_manager_has_at_least_five_reports_among_them_employee_and_peer(
    small_org: generator.Summary,
) -> None:
    manager = _person("manager@example.com")
    reports = set(manager.reports.values_list("email", flat=True))
    assert len(reports) >= 5
    assert {"employee@example.com", "peer@example.com"} <= reports


def test_the_peer_is_in_the_employees_team(small_org: generator.Summary) -> None:
    employee, peer = _person("employee@example.com"), _person("peer@example.com")
    assert employee.team is not None
    assert peer.team_id == employee.team_id


def test_the_employees_partner_is_a_colleague_but_not_the_peer_or_manager(
    small_org: generator.Summary,
) -> None:
    employee = _person("employee@example.com")
    partner = employee.checkin_preference.partner
    assert partner is not None
    assert partner.email not in {"peer@example.com", "manager@example.com", employee.email}
    assert partner.team_id == employee.team_id
    # The partner has a demo login too, so the sharing can be tried in the browser.
    assert partner.email == "partner@example.com"


def test_the_employee_has_a_private_objective_this_quarter(
    small_org: generator.Summary,
) -> None:
    private = Objective.objects.filter(
        owner__email="employee@example.com",
        visibility=Objective.Visibility.PRIVATE,
        period_start__lte=TODAY,
        period_end__gte=TODAY,
    )
    assert private.exists()
    assert Objective.objects.filter(
        owner__email="employee@example.com", visibility=Objective.Visibility.PUBLIC
    ).exists()


def test_the_rep_reports_to_the_sales_manager_in_a_sales_team(
    small_org: generator.Summary,
) -> None:
    rep = _person("rep@example.com")
    assert rep.manager is not None and rep.manager.email == "salesmanager@example.com"
    assert rep.team is not None and rep.team.is_sales
    assert _person("salesmanager@example.com").team_id == rep.team_id


def test_hr_is_an_hr_admin_and_the_others_are_not(small_org: generator.Summary) -> None:
    assert viewer_for_person(_person("hr@example.com")).is_hr_admin
    for email in ("manager@example.com", "employee@example.com", "rep@example.com"):
        assert not viewer_for_person(_person(email)).is_hr_admin


def test_every_path_follows_the_manager_chain(small_org: generator.Summary) -> None:
    people = {p.pk: p for p in Person.objects.all()}
    roots = [p for p in people.values() if p.manager_id is None]
    assert len(roots) == 1
    for person in people.values():
        chain = [person.pk]
        node = person
        while node.manager_id is not None:
            node = people[node.manager_id]
            chain.append(node.pk)
        assert person.path == "/" + "/".join(str(pk) for pk in reversed(chain)) + "/"


def test_the_organisation_has_five_teams_and_people_across_continents(
    small_org: generator.Summary,
) -> None:
    teams = Team.objects.annotate(size=Count("members"))
    assert teams.count() == 5
    assert all(team.size > 0 for team in teams)
    assert teams.filter(is_sales=True).count() == 1
    zones = set(Person.objects.values_list("time_zone", flat=True))
    assert {zone.split("/")[0] for zone in zones} >= {"Europe", "America"}
    assert Person.objects.filter(hire_date__isnull=True).count() == 0


def test_key_results_current_value_is_their_newest_update(
    small_org: generator.Summary,
) -> None:
    newest = KeyResultUpdate.objects.filter(key_result=OuterRef("pk")).order_by("-at", "-id")
    krs = KeyResult.objects.annotate(newest=Subquery(newest.values("value")[:1]))
    assert krs.filter(newest__isnull=False).count() > 0
    for kr in krs:
        expected = kr.start if kr.newest is None else kr.newest
        assert kr.current == expected, kr.title


def test_goals_align_from_person_to_team_to_company(small_org: generator.Summary) -> None:
    levels = Objective.Level
    assert Objective.objects.filter(level=levels.COMPANY, parent__isnull=False).count() == 0
    assert (
        not Objective.objects.filter(level=levels.TEAM)
        .exclude(parent__level=levels.COMPANY)
        .exists()
    )
    personal = Objective.objects.filter(level=levels.PERSONAL)
    private = Objective.Visibility.PRIVATE
    # Shared personal goals align to a team goal; private development goals stand alone.
    assert not personal.exclude(visibility=private).exclude(parent__level=levels.TEAM).exists()
    assert not personal.filter(visibility=private, parent__isnull=False).exists()
    assert not Objective.objects.filter(level=levels.TEAM, team__isnull=True).exists()


def test_key_results_mix_kinds_directions_and_currencies(small_org: generator.Summary) -> None:
    kinds = set(KeyResult.objects.values_list("kind", flat=True))
    assert kinds == set(KeyResult.Kind.values)
    currencies = set(
        KeyResult.objects.filter(kind=KeyResult.Kind.CURRENCY).values_list("unit", flat=True)
    )
    assert currencies and currencies <= {"EUR", "USD", "GBP"}
    decreasing = [kr for kr in KeyResult.objects.all() if kr.direction == "decreasing"]
    assert decreasing
    visibilities = set(Objective.objects.values_list("visibility", flat=True))
    assert visibilities == set(Objective.Visibility.values)


def test_check_ins_are_one_per_person_per_week_on_mondays_in_the_past(
    small_org: generator.Summary,
) -> None:
    duplicates = (
        CheckIn.objects.values("person", "week_start").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert not duplicates.exists()
    weeks = set(CheckIn.objects.values_list("week_start", flat=True))
    assert weeks and all(week.weekday() == 0 for week in weeks)
    assert len(weeks) <= 3 and max(weeks) <= TODAY
    for checkin in CheckIn.objects.select_related("person"):
        local = checkin.submitted_at.astimezone(checkin.person.zone).date()
        assert checkin.week_start <= local < checkin.week_start + timedelta(days=7)
        assert checkin.submitted_at.date() < TODAY
        assert 1 <= checkin.mood <= 5


def test_some_people_skip_weeks_and_the_employee_has_not_checked_in_yet_this_week(
    small_org: generator.Summary,
) -> None:
    this_week = TODAY - timedelta(days=TODAY.weekday())
    past_weeks = CheckIn.objects.exclude(week_start=this_week)
    assert past_weeks.count() < Person.objects.count() * 2
    assert not CheckIn.objects.filter(
        person__email="employee@example.com", week_start=this_week
    ).exists()
    assert (
        CheckIn.objects.filter(person__email="employee@example.com")
        .exclude(week_start=this_week)
        .count()
        == 2
    )


def test_check_ins_carry_key_result_updates_comments_and_partners(
    small_org: generator.Summary,
) -> None:
    assert KeyResultUpdate.objects.filter(checkin__isnull=False).exists()
    assert KeyResultUpdate.objects.filter(checkin__isnull=True).exists()
    assert CheckInComment.objects.exists()
    assert CheckInPreference.objects.count() == Person.objects.count()
    assert CheckInPreference.objects.filter(partner__isnull=False).count() >= 5
    for update in KeyResultUpdate.objects.filter(checkin__isnull=False).select_related(
        "checkin", "key_result__objective"
    )[:50]:
        assert update.author_id == update.checkin.person_id  # type: ignore[union-attr]
        assert update.author_id == update.key_result.objective.owner_id


def test_the_summary_counts_what_was_written(small_org: generator.Summary) -> None:
    assert small_org.people == Person.objects.count() == 40
    assert small_org.objectives == Objective.objects.count()
    assert small_org.key_results == KeyResult.objects.count()
    assert small_org.key_result_updates == KeyResultUpdate.objects.count()
    assert small_org.checkins == CheckIn.objects.count()
    assert small_org.comments == CheckInComment.objects.count()


def test_new_rows_after_the_load_get_fresh_ids(small_org: generator.Summary) -> None:
    # The generator writes explicit ids; the database's own counters must have moved on.
    before = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    person = org.person_create(actor=None, name="New Joiner", email="new@example.com")
    assert before is not None and person.pk > before


def test_it_reports_its_progress_stage_by_stage(db: None) -> None:
    calls: list[tuple[str, int, int]] = []
    generate(seed=3, progress=lambda *args: calls.append(args), **SMALL)  # type: ignore[arg-type]
    stages = {stage for stage, _, _ in calls}
    assert stages == {generator.STAGE_PEOPLE, generator.STAGE_CHECKINS}
    assert (generator.STAGE_CHECKINS, 3, 3) in calls


def test_it_refuses_to_load_into_an_organisation_that_has_people(cast: Cast) -> None:
    with pytest.raises(GeneratorError, match="empty"):
        generate(**SMALL)  # type: ignore[arg-type]
    assert Person.objects.count() == len(cast.members)


@pytest.mark.django_db
def test_it_refuses_an_organisation_too_small_for_the_demo_logins() -> None:
    with pytest.raises(GeneratorError, match="at least"):
        generate(people=10, weeks=2, today=TODAY)
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_the_default_demo_is_150_people_with_eight_weeks_of_check_ins() -> None:
    summary = generate(today=TODAY)
    assert summary.people == Person.objects.count() == 150
    weeks = sorted(set(CheckIn.objects.values_list("week_start", flat=True)))
    assert len(weeks) == 8 and weeks[-1] == TODAY - timedelta(days=TODAY.weekday())
    # Most people check in most weeks.
    assert summary.checkins > 150 * 7 * 0.75
    manager = _person("manager@example.com")
    assert 5 <= manager.reports.count() <= 8
    assert not manager.reports.filter(reports__isnull=False).exists()
    partner = _person("employee@example.com").checkin_preference.partner
    assert partner is not None and partner.email != "peer@example.com"
    for checkin in CheckIn.objects.filter(person__email="employee@example.com"):
        assert checkin.week_start != weeks[-1]
    newest = KeyResultUpdate.objects.filter(key_result=OuterRef("pk")).order_by("-at", "-id")
    mismatched = (
        KeyResult.objects.annotate(newest=Subquery(newest.values("value")[:1]))
        .filter(newest__isnull=False)
        .exclude(current=Subquery(newest.values("value")[:1]))
    )
    assert not mismatched.exists()


def test_hr_finds_a_review_template_and_a_competency_framework(
    small_org: generator.Summary,
) -> None:
    from stride.reviews.models import Competency, JobLevel, ReviewTemplate, TemplateQuestion

    template = ReviewTemplate.objects.get(name="Annual performance review")
    kinds = set(
        TemplateQuestion.objects.filter(section__version__template=template).values_list(
            "kind", flat=True
        )
    )
    assert kinds == {
        "rating",
        "text",
        "list",
        "competency",
        "goal_results",
        "improvement_areas",
        "next_goals",
    }
    assert JobLevel.objects.count() == 5
    assert all(c.levels.count() == 5 for c in Competency.objects.all())
