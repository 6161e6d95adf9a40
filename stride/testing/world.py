"""A small organisation with something to hide: the cast (``stride.testing.cast``) owning
public, team and private objectives whose readers and editors differ, a shared check-in with
a comment, and a personal access token. The authorization walk and the query-count test
both start from it; ``grow`` adds people to it so the same pages can be measured at two
sizes.

Who may do what (``readers`` see it, ``editors`` may change it; all others get 404):

=================================  =====================================  ====================
object                             readers                                editors
=================================  =====================================  ====================
alice's public objective           everyone                               alice, manager, skip, hr
  (aligned to the team objective, whose title must not show to non-readers)
Product's team objective           Product (skip, manager, alice, bob),   manager, skip, hr
  (owned by manager)               hr
alice's private objective          alice, manager, skip, hr               the same
bob's private objective            bob, manager, skip, hr                 the same
alice's check-in and its comment   alice, manager, skip, hr, salesmanager the same may comment
                                   (her accountability partner)
alice's token                      alice                                  alice
alice's / bob's / manager's        the person, their managers, hr (and    —
  check-in history                 alice's partner, salesmanager)
=================================  =====================================  ====================
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from stride.access import services as access_services
from stride.goals.checkins import services as checkin_services
from stride.goals.models import Objective
from stride.org.models import Person
from stride.reviews import services as review_services
from stride.reviews.growth import services as growth_services
from stride.reviews.models import CycleParticipant
from stride.testing.builders import (
    add_reports,
    check_in,
    choose_partner,
    first_kr,
    make_objective,
    record,
)
from stride.testing.cast import PASSWORD, Cast
from stride.testing.reviews import (
    complete_answers,
    launch_cycle,
    make_cycle,
    make_framework,
    make_template,
    rating,
)

MEMBERS = ("skip", "manager", "alice", "bob", "outsider", "hr", "salesmanager", "rep")
EVERYONE = frozenset(MEMBERS)
HR_ONLY = frozenset({"hr"})
ALICE_ONLY = frozenset({"alice"})
PRODUCT_READERS = frozenset({"skip", "manager", "alice", "bob", "hr"})
ALICE_EDITORS = frozenset({"alice", "manager", "skip", "hr"})
BOB_EDITORS = frozenset({"bob", "manager", "skip", "hr"})
TEAM_EDITORS = frozenset({"manager", "skip", "hr"})
CHECKIN_READERS = ALICE_EDITORS | {"salesmanager"}
# Whose check-ins each member may read: themselves, their managers, their partner, HR.
PERSON_CHECKIN_READERS = {
    "alice": CHECKIN_READERS,
    "bob": BOB_EDITORS,
    "manager": TEAM_EDITORS,
}

# Titles and texts chosen to appear nowhere else, so finding one in an answer means it leaked.
PUBLIC_TITLE = "Walk public objective Kestrel"
TEAM_TITLE = "Walk team objective Heron"
TEAM_KR_TITLE = "Walk team key result Avocet"
PRIVATE_TITLE = "Walk private objective Osprey"
PRIVATE_KR_TITLE = "Walk private key result Plover"
PRIVATE_NOTE = "Walk private update note Wren"
BOB_PRIVATE_TITLE = "Walk bob private objective Egret"
CHECKIN_PROGRESS = "Walk check-in progress Finch"
CHECKIN_PLANS = "Walk check-in plans Siskin"
CHECKIN_PROBLEMS = "Walk check-in problems Linnet"
COMMENT = "Walk check-in comment Swift"
REVIEW_QUESTION = "Walk review question Merlin"
# Drafts in alice's review: each seen by its author only (neither has submitted).
SELF_DRAFT = "Walk self-assessment draft Bittern"
MANAGER_DRAFT = "Walk manager review draft Godwit"
REVIEW_PARTIES = frozenset({"alice", "manager"})
# Who calibrates the product team's cycles: HR, and skip (the manager's manager).
CALIBRATORS = frozenset({"hr", "skip"})
# The manager's draft as an upward reviewer of skip: only its author ever sees it.
UPWARD_DRAFT = "Walk upward review draft Garganey"
# Alice's development plan: hers and her current managers' (never HR's, nor a peer's).
GROWTH_AREA = "Walk growth area Sanderling"
GROWTH_ACTIONS = "Walk growth actions Turnstone"
# Whose growth graph and development plan each member may see and keep: themselves and
# their current managers.
PERSON_GROWTH_READERS = {
    "alice": frozenset({"alice", "manager", "skip"}),
    "bob": frozenset({"bob", "manager", "skip"}),
    "manager": frozenset({"manager", "skip"}),
}


@dataclass(frozen=True)
class Secret:
    """A text only ``readers`` may ever be shown, on any page or in any API answer."""

    text: str
    readers: frozenset[str]


@dataclass(frozen=True)
class Target:
    """Something a route points at: the ids that fill its path, who may read and who may
    edit it, and how to make a fresh copy (so a write never lands on what another write, or
    another member, already changed or deleted)."""

    name: str
    ids: dict[str, int]
    readers: frozenset[str]
    editors: frozenset[str]
    fresh: Callable[[], dict[str, int]] | None = None
    # For a person: who may read their check-ins (their history page).
    checkin_readers: frozenset[str] = frozenset()
    # For a person: who may see their growth graph and keep their development plan.
    growth_readers: frozenset[str] = frozenset()
    # For a review: who takes part (the person reviewed and their manager), and each.
    review_parties: frozenset[str] = frozenset()
    reviewee: frozenset[str] = frozenset()
    review_manager: frozenset[str] = frozenset()
    # For a cycle or a review: who calibrates it (HR, and managers of its managers).
    calibrators: frozenset[str] = frozenset()


@dataclass
class World:
    cast: Cast
    ids: dict[str, int]
    secrets: list[Secret]
    # Path parameter → the targets a route with that parameter is walked against.
    targets: dict[str, list[Target]] = field(default_factory=dict)

    def person(self, member: str) -> Person:
        person: Person = getattr(self.cast, member)
        return person

    def path_ids(self) -> dict[str, int]:
        """One id for each path parameter: that of its first target (alice's public
        objective and its key result, alice as the person, her check-in and token)."""
        ids: dict[str, int] = {}
        for targets in self.targets.values():
            for key, value in targets[0].ids.items():
                ids.setdefault(key, value)
        return ids


def build_world(cast: Cast) -> World:
    """The cast and the objects of the table in the module docstring, as of now."""
    team = make_objective(
        cast,
        cast.manager,
        TEAM_TITLE,
        level=Objective.Level.TEAM,
        team=cast.product,
        visibility=Objective.Visibility.TEAM,
        key_results=[{"title": TEAM_KR_TITLE, "start": 0, "target": 10}],
    )

    def public() -> Objective:
        return make_objective(cast, cast.alice, PUBLIC_TITLE, parent=team)

    def private() -> Objective:
        objective = make_objective(
            cast,
            cast.alice,
            PRIVATE_TITLE,
            visibility=Objective.Visibility.PRIVATE,
            key_results=[{"title": PRIVATE_KR_TITLE, "start": 0, "target": 10}],
        )
        record(cast, cast.alice, first_kr(objective), 3, confidence=6, note=PRIVATE_NOTE)
        return objective

    def team_copy() -> Objective:
        return make_objective(
            cast,
            cast.manager,
            TEAM_TITLE,
            level=Objective.Level.TEAM,
            team=cast.product,
            visibility=Objective.Visibility.TEAM,
            key_results=[{"title": TEAM_KR_TITLE, "start": 0, "target": 10}],
        )

    def bob_private() -> Objective:
        return make_objective(
            cast, cast.bob, BOB_PRIVATE_TITLE, visibility=Objective.Visibility.PRIVATE
        )

    def ids_of(objective: Objective) -> dict[str, int]:
        return {"objective_id": objective.pk, "key_result_id": first_kr(objective).pk}

    choose_partner(cast, cast.alice, cast.salesmanager)
    checkin = check_in(
        cast,
        cast.alice,
        progress=CHECKIN_PROGRESS,
        plans=CHECKIN_PLANS,
        problems=CHECKIN_PROBLEMS,
    )
    checkin_services.checkin_comment_add(
        viewer=cast.viewer(cast.manager), checkin=checkin, body=COMMENT
    )

    def token() -> dict[str, int]:
        made, _secret = access_services.token_create(viewer=cast.viewer(cast.alice), name="laptop")
        return {"token_id": made.pk}

    _levels, competency = make_framework(cast)
    made = itertools.count(1)

    def review_template() -> dict[str, int]:
        template = make_template(
            cast,
            name="Walk template",
            sections=[{"title": "Walk section", "questions": [rating(REVIEW_QUESTION)]}],
        )
        section = template.versions.get().sections.get()
        return {
            "template_id": template.pk,
            "section_id": section.pk,
            "question_id": section.questions.get().pk,
        }

    cycle_template = make_template(cast, name="Walk cycle template")

    def draft_cycle() -> dict[str, int]:
        return {"cycle_id": make_cycle(cast, cycle_template).pk}

    def launched_participant() -> dict[str, int]:
        # Its phases are over, so every participant's work is late (HR may nudge).
        cycle = launch_cycle(
            cast,
            cycle_template,
            team_ids=[cast.product.pk],
            start=timezone.localdate() - timedelta(days=60),
        )
        participant = cycle.participants.get(person=cast.alice)
        return {"participant_id": participant.pk, "cycle_id": cycle.pk}

    def alice_review() -> dict[str, int]:
        """Alice's review in a newly launched cycle, with complete drafts by alice and
        by her manager, with his proposed rating and potential (so either may submit). The
        manager's page shows alice's check-ins (``CHECKIN_PLANS``, …) in its summary."""
        cycle = launch_cycle(cast, cycle_template, team_ids=[cast.product.pk], min_peers=1)
        participant = cycle.participants.get(person=cast.alice)
        for author, relationship, words in (
            (cast.alice, "self", SELF_DRAFT),
            (cast.manager, "manager", MANAGER_DRAFT),
        ):
            manager = relationship == "manager"
            review_services.review_draft_save(
                viewer=cast.viewer(author),
                participant=participant,
                relationship=relationship,
                answers=complete_answers(cycle, relationship, words),
                # The manager's proposal, which submitting needs.
                overall_rating=3 if manager else None,
                potential=2 if manager else None,
            )
        # As if the manager had submitted: the proposal fixed as the final rating, so
        # calibrators may react to it and change it.
        CycleParticipant.objects.filter(pk=participant.pk).update(
            proposed_rating=3, potential=2, final_rating=3, final_potential=2
        )
        return {"review_id": participant.pk, "cycle_id": cycle.pk}

    def upward_request() -> dict[str, int]:
        """The manager's request to review skip upward in a newly launched cycle, with a
        complete draft of their answers."""
        cycle = launch_cycle(cast, cycle_template, team_ids=[cast.product.pk])
        participant = cycle.participants.get(person=cast.skip)
        review_services.review_draft_save(
            viewer=cast.viewer(cast.manager),
            participant=participant,
            relationship="upward",
            answers=complete_answers(cycle, "upward", UPWARD_DRAFT),
        )
        request = participant.reviewers.get(reviewer=cast.manager)
        return {"request_id": request.pk}

    def development_item() -> dict[str, int]:
        item = growth_services.development_item_create(
            viewer=cast.viewer(cast.alice),
            person=cast.alice,
            growth_area=GROWTH_AREA,
            actions=GROWTH_ACTIONS,
        )
        return {"development_item_id": item.pk}

    def fresh_competency() -> dict[str, int]:
        made_one = review_services.competency_create(
            viewer=cast.viewer(cast.hr), name=f"Walk competency {next(made)}"
        )
        return {"competency_id": made_one.pk}

    objectives = {
        "public": (ids_of(public()), EVERYONE, ALICE_EDITORS, lambda: ids_of(public())),
        "team": (ids_of(team), PRODUCT_READERS, TEAM_EDITORS, lambda: ids_of(team_copy())),
        "private": (ids_of(private()), ALICE_EDITORS, ALICE_EDITORS, lambda: ids_of(private())),
        "bob-private": (
            ids_of(bob_private()),
            BOB_EDITORS,
            BOB_EDITORS,
            lambda: ids_of(bob_private()),
        ),
    }
    objective_targets = [
        Target(name, ids, readers, editors, fresh)
        for name, (ids, readers, editors, fresh) in objectives.items()
    ]
    people = {name: getattr(cast, name).pk for name in ("alice", "bob", "manager")}
    checkin_ids = {"checkin_id": checkin.pk}
    world = World(
        cast=cast,
        ids={
            **{f"{name}_id": pk for name, pk in people.items()},
            "product_id": cast.product.pk,
            "checkin_id": checkin.pk,
        },
        secrets=[
            Secret(TEAM_TITLE, PRODUCT_READERS),
            Secret(TEAM_KR_TITLE, PRODUCT_READERS),
            Secret(PRIVATE_TITLE, ALICE_EDITORS),
            Secret(PRIVATE_KR_TITLE, ALICE_EDITORS),
            Secret(PRIVATE_NOTE, ALICE_EDITORS),
            Secret(BOB_PRIVATE_TITLE, BOB_EDITORS),
            Secret(CHECKIN_PROGRESS, CHECKIN_READERS),
            Secret(CHECKIN_PLANS, CHECKIN_READERS),
            Secret(CHECKIN_PROBLEMS, CHECKIN_READERS),
            Secret(COMMENT, CHECKIN_READERS),
            Secret(REVIEW_QUESTION, HR_ONLY),
            Secret(SELF_DRAFT, ALICE_ONLY),
            Secret(MANAGER_DRAFT, frozenset({"manager"})),
            Secret(UPWARD_DRAFT, frozenset({"manager"})),
            Secret(GROWTH_AREA, PERSON_GROWTH_READERS["alice"]),
            Secret(GROWTH_ACTIONS, PERSON_GROWTH_READERS["alice"]),
        ],
    )
    world.targets = {
        "objective_id": objective_targets,
        "key_result_id": objective_targets,
        "person_id": [
            Target(
                f"person {name}",
                {"person_id": pk},
                EVERYONE,
                EVERYONE,
                checkin_readers=PERSON_CHECKIN_READERS[name],
                growth_readers=PERSON_GROWTH_READERS[name],
            )
            for name, pk in people.items()
        ],
        "checkin_id": [Target("alice's check-in", checkin_ids, CHECKIN_READERS, CHECKIN_READERS)],
        "token_id": [Target("alice's token", token(), ALICE_ONLY, ALICE_ONLY, token)],
    }
    # Review templates and the framework's administration are HR's; the framework is read
    # by everyone signed in.
    templates = [Target("review template", review_template(), HR_ONLY, HR_ONLY, review_template)]
    # Reads see a launched cycle (progress, participants); writes get a draft of their own
    # (the launch) or a participant of a newly launched cycle (reopening a phase).
    participant = launched_participant()
    world.ids["template_id"] = cycle_template.pk
    world.targets.update(
        {
            "template_id": templates,
            "section_id": templates,
            "question_id": templates,
            "cycle_id": [
                Target(
                    "review cycle",
                    {"cycle_id": participant["cycle_id"]},
                    HR_ONLY,
                    HR_ONLY,
                    draft_cycle,
                    calibrators=CALIBRATORS,
                )
            ],
            "participant_id": [
                Target("cycle participant", participant, HR_ONLY, HR_ONLY, launched_participant)
            ],
            "review_id": [
                Target(
                    "alice's review",
                    alice_review(),
                    REVIEW_PARTIES,
                    REVIEW_PARTIES,
                    alice_review,
                    review_parties=REVIEW_PARTIES,
                    reviewee=ALICE_ONLY,
                    review_manager=frozenset({"manager"}),
                    calibrators=CALIBRATORS,
                )
            ],
            "request_id": [
                Target(
                    "manager's upward review of skip",
                    upward_request(),
                    frozenset({"manager"}),
                    frozenset({"manager"}),
                    upward_request,
                )
            ],
            "development_item_id": [
                Target(
                    "alice's development plan item",
                    development_item(),
                    PERSON_GROWTH_READERS["alice"],
                    PERSON_GROWTH_READERS["alice"],
                    development_item,
                )
            ],
            "competency_id": [
                Target(
                    "competency",
                    {"competency_id": competency.pk},
                    EVERYONE,
                    HR_ONLY,
                    fresh_competency,
                )
            ],
        }
    )
    return world


def grow(world: World, count: int) -> list[Person]:
    """``count`` more people in the manager's team, each with a public, a team and a private
    objective (two key results each, a few recorded values), two weeks of check-ins with key
    result notes, and a comment from the manager on each check-in."""
    cast = world.cast
    people = add_reports(cast.manager, count, prefix="grown", password=PASSWORD)
    manager = cast.viewer(cast.manager)
    for person in people:
        choose_partner(cast, person, cast.alice)
        for visibility in Objective.Visibility.values:
            objective = make_objective(
                cast,
                person,
                f"{person.name} {visibility} goal",
                visibility=visibility,
                key_results=[
                    {"title": "Calls made", "start": 0, "target": 50},
                    {"title": "Demos given", "start": 0, "target": 8},
                ],
            )
            kr = first_kr(objective)
            record(cast, person, kr, 5, confidence=7, note="first week")
            record(cast, person, kr, 9, confidence=6, note="second week")
        for weeks_ago in (1, 0):
            when = timezone.now() - timedelta(weeks=weeks_ago)
            checkin = check_in(
                cast, person, now=when, progress="Steady", plans="More calls", problems="None"
            )
            checkin_services.checkin_comment_add(viewer=manager, checkin=checkin, body="Thanks")
    return people
