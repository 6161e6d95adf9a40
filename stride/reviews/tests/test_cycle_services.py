"""Review cycles: phases validated in order, participants picked by filter and fixed at
launch with the template version, late work refused unless HR reopens it for the person."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from stride.org import services as org
from stride.org.models import Person
from stride.reviews import selectors, services
from stride.reviews.models import CycleParticipant, ReviewCycle, TemplateVersion
from stride.testing import Cast, Clock
from stride.testing.clock import TODAY
from stride.testing.reviews import launch_cycle, make_cycle, make_template, phases_from

pytestmark = pytest.mark.clock


def participants(cycle: ReviewCycle) -> set[str]:
    return {
        p.person.email
        for p in CycleParticipant.objects.filter(cycle=cycle).select_related("person")
    }


def test_phases_running_backwards_are_refused_naming_the_phase_and_nothing_is_written(
    cast: Cast,
) -> None:
    phases = phases_from(TODAY)
    phases[3]["starts_on"] = phases[2]["starts_on"] - timedelta(days=1)  # manager review
    phases[4]["starts_on"] = phases[3]["starts_on"]  # calibration
    phases[4]["ends_on"] = phases[3]["ends_on"] - timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        make_cycle(cast, make_template(cast), phases=phases)
    errors = caught.value.message_dict
    assert "cannot start before peer and upward reviews starts" in errors["phases.3.starts_on"][0]
    assert "cannot end before manager review ends" in errors["phases.4.ends_on"][0]
    assert not ReviewCycle.objects.exists()


def test_every_phase_must_be_dated_and_end_after_it_starts(cast: Cast) -> None:
    phases = phases_from(TODAY)[:5]
    phases[0]["ends_on"] = phases[0]["starts_on"] - timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        make_cycle(cast, make_template(cast), phases=phases)
    errors = caught.value.message_dict
    assert "Sharing and sign-off" in errors["phases"][0]
    assert "end on or after its start" in errors["phases.0.ends_on"][0]


def test_overlapping_phases_in_order_are_fine(cast: Cast) -> None:
    phases = phases_from(TODAY)
    phases[1]["starts_on"] = phases[0]["starts_on"]  # nominate peers during the self-assessment
    cycle = make_cycle(cast, make_template(cast), phases=phases)
    assert [p.kind for p in selectors.ordered_phases(cycle)][:2] == [
        "self_assessment",
        "peer_nomination",
    ]


def test_the_filter_picks_by_team_hire_date_and_status(cast: Cast) -> None:
    # As the HR import would set them.
    Person.objects.filter(pk=cast.alice.pk).update(hire_date=date(2020, 1, 1))
    Person.objects.filter(pk=cast.bob.pk).update(hire_date=date(2026, 10, 1))
    Person.objects.filter(pk=cast.manager.pk).update(status=Person.Status.ON_LEAVE)
    template = make_template(cast)
    product = make_cycle(cast, template, team_ids=[cast.product.pk])
    assert {p.email for p in selectors.cycle_candidates(product)} == {
        "skip@example.com",
        "alice@example.com",
        "bob@example.com",
    }
    early = make_cycle(cast, template, team_ids=[cast.product.pk], hired_before=date(2026, 1, 1))
    assert {p.email for p in selectors.cycle_candidates(early)} == {"alice@example.com"}
    on_leave = make_cycle(
        cast, template, statuses=["active", "on_leave"], team_ids=[cast.product.pk]
    )
    assert "manager@example.com" in {p.email for p in selectors.cycle_candidates(on_leave)}


def test_launch_snapshots_participants_and_the_template_version(cast: Cast) -> None:
    template = make_template(cast)
    cycle = make_cycle(cast, template, team_ids=[cast.product.pk])
    services.section_add(
        viewer=cast.viewer(cast.hr), template=template, title="Late", weight=Decimal(1)
    )
    services.cycle_launch(viewer=cast.viewer(cast.hr), cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.status == "launched"
    assert participants(cycle) == {
        "skip@example.com",
        "manager@example.com",
        "alice@example.com",
        "bob@example.com",
    }
    alice = CycleParticipant.objects.get(cycle=cycle, person=cast.alice)
    assert (alice.manager_id, alice.team_id) == (cast.manager.pk, cast.product.pk)
    # The section added while the cycle was a draft is in the launched version.
    assert "Late" in [s.title for s in cycle.template_version.sections.all()]
    # Someone joining later is not added; launching twice is refused.
    org.person_create(actor=None, name="New", email="new@example.com", team=cast.product)
    with pytest.raises(ValidationError):
        services.cycle_launch(viewer=cast.viewer(cast.hr), cycle=cycle)
    assert "new@example.com" not in participants(cycle)
    assert TemplateVersion.objects.filter(template=template).count() == 1


def test_a_filter_that_matches_nobody_cannot_launch(cast: Cast) -> None:
    cycle = make_cycle(cast, make_template(cast), hired_before=date(1950, 1, 1))
    with pytest.raises(ValidationError) as caught:
        services.cycle_launch(viewer=cast.viewer(cast.hr), cycle=cycle)
    assert "Nobody matches" in caught.value.message_dict["team_ids"][0]


def test_only_hr_runs_cycles(cast: Cast) -> None:
    template = make_template(cast)
    with pytest.raises(Http404):
        services.cycle_create(
            viewer=cast.viewer(cast.manager),
            name="Mine",
            template_id=template.pk,
            phases=phases_from(TODAY),
        )


def test_late_work_is_refused_after_the_deadline_where_the_person_lives_unless_reopened(
    cast: Cast, clock: Clock
) -> None:
    cycle = launch_cycle(cast, make_template(cast), team_ids=[cast.product.pk])
    self_phase = selectors.ordered_phases(cycle)[0]
    bob = CycleParticipant.objects.get(cycle=cycle, person=cast.bob)  # New York
    alice = CycleParticipant.objects.get(cycle=cycle, person=cast.alice)  # Berlin
    # 23:30 on the last day in New York is 05:30 the next day in Berlin.
    late_evening = datetime.combine(
        self_phase.ends_on, datetime.min.time(), tzinfo=ZoneInfo("America/New_York")
    ) + timedelta(hours=23, minutes=30)
    services.require_phase_open(bob, "self_assessment", now=late_evening)
    with pytest.raises(ValidationError) as caught:
        services.require_phase_open(alice, "self_assessment", now=late_evening)
    assert "ask HR to reopen it" in caught.value.message_dict["phase"][0]

    services.phase_reopen(
        viewer=cast.viewer(cast.hr),
        participant=alice,
        phase="self_assessment",
        until=self_phase.ends_on + timedelta(days=2),
    )
    services.require_phase_open(alice, "self_assessment", now=late_evening)
    with pytest.raises(ValidationError):  # reopened for alice only
        services.require_phase_open(
            CycleParticipant.objects.get(cycle=cycle, person=cast.manager),
            "self_assessment",
            now=late_evening,
        )


def test_reopening_needs_a_day_after_the_phase_ends(cast: Cast) -> None:
    cycle = launch_cycle(cast, make_template(cast), team_ids=[cast.product.pk])
    with pytest.raises(ValidationError) as caught:
        services.phase_reopen(
            viewer=cast.viewer(cast.hr),
            participant=CycleParticipant.objects.get(cycle=cycle, person=cast.bob),
            phase="self_assessment",
            until=TODAY,
        )
    assert set(caught.value.message_dict) == {"until"}


def test_progress_counts_participants_per_team(cast: Cast) -> None:
    cycle = launch_cycle(cast, make_template(cast))
    rows = {
        row.team: row.participants for row in selectors.cycle_progress(cycle, now=timezone.now())
    }
    assert rows == {"Product": 4, "Finance": 1, "People": 1, "Sales": 2}
