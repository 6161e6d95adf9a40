"""Writes of review templates: versioning that never changes a launched cycle, the rules
between a question's fields, HR only, audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from stride.access.models import AuditEntry
from stride.reviews import selectors, services
from stride.reviews.models import ReviewCycle, ReviewTemplate, TemplateQuestion, TemplateVersion
from stride.reviews.schemas import QuestionIn
from stride.testing import Cast
from stride.testing.reviews import (
    launch_cycle,
    make_cycle,
    make_framework,
    make_template,
    rating,
    text,
)


def question(**data: object) -> QuestionIn:
    return QuestionIn.model_validate(data)


def launched_cycle(cast: Cast, template: ReviewTemplate) -> ReviewCycle:
    return launch_cycle(cast, template)


def prompts(version: TemplateVersion) -> list[str]:
    return [q.prompt for s in version.sections.all() for q in s.questions.all()]


def test_a_template_is_created_whole_with_its_first_version(cast: Cast) -> None:
    template = make_template(cast)
    version = selectors.latest_version(template)
    assert version.number == 1
    assert prompts(version) == [
        "How well were goals met?",
        "How good was the work?",
        "Accomplishments",
        "What should they keep doing?",
    ]
    first = version.sections.all()[0].questions.all()[0]
    assert [p.label for p in first.points.all()][:2] == ["Well below", "Below"]
    assert [p.value for p in first.points.all()] == [1, 2, 3, 4, 5]
    assert first.answered_by == ["self", "manager"]
    assert AuditEntry.objects.filter(action="review_template.create").count() == 1


def test_editing_a_template_whose_version_a_launched_cycle_uses_makes_a_new_version(
    cast: Cast,
) -> None:
    hr = cast.viewer(cast.hr)
    template = make_template(cast)
    cycle = launched_cycle(cast, template)
    old = selectors.latest_version(template)
    before = prompts(old)
    target = old.sections.all()[0].questions.all()[0]

    changed = services.question_update(
        viewer=hr,
        template=template,
        question_id=target.pk,
        question=question(**rating("Were goals met?", answered_by=["manager"])),
    )

    cycle.refresh_from_db()
    assert cycle.template_version_id == old.pk
    assert prompts(selectors.latest_version(template)) != before
    launched = TemplateVersion.objects.get(pk=old.pk)
    assert prompts(launched) == before  # the launched cycle's questions did not change
    assert TemplateQuestion.objects.get(pk=target.pk).answered_by == ["self", "manager"]
    assert changed.pk != target.pk and changed.section.version.number == 2
    # A second edit lands on the same new version: it is not launched yet.
    services.section_add(viewer=hr, template=template, title="Values", weight=Decimal(1))
    assert template.versions.count() == 2


def test_editing_a_template_no_launched_cycle_uses_changes_it_in_place(cast: Cast) -> None:
    hr = cast.viewer(cast.hr)
    template = make_template(cast)
    make_cycle(cast, template)
    section = selectors.latest_version(template).sections.all()[1]
    services.section_delete(viewer=hr, template=template, section_id=section.pk)
    assert template.versions.count() == 1
    assert len(prompts(selectors.latest_version(template))) == 3


def test_deleting_from_a_launched_version_removes_only_from_the_copy(cast: Cast) -> None:
    hr = cast.viewer(cast.hr)
    template = make_template(cast)
    launched_cycle(cast, template)
    old = selectors.latest_version(template)
    target = old.sections.all()[0].questions.all()[2]
    services.question_delete(viewer=hr, template=template, question_id=target.pk)
    assert "Accomplishments" in prompts(TemplateVersion.objects.get(pk=old.pk))
    assert "Accomplishments" not in prompts(selectors.latest_version(template))


def test_a_question_of_an_older_version_is_not_found(cast: Cast) -> None:
    hr = cast.viewer(cast.hr)
    template = make_template(cast)
    launched_cycle(cast, template)
    old_question = selectors.latest_version(template).sections.all()[0].questions.all()[0]
    services.section_add(viewer=hr, template=template, title="Values", weight=Decimal(1))
    with pytest.raises(Http404):
        services.question_delete(viewer=hr, template=template, question_id=old_question.pk)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (rating("Rate", scale=[{"label": "Only"}]), "scale", "at least 2 points"),
        (text("Say", scale=[{"label": "A"}, {"label": "B"}]), "scale", "Only an anchored"),
        ({"kind": "competency", "prompt": "C", "answered_by": ["self"]}, "competency_id", "Choose"),
        (text("Say", competency_id=99), "competency_id", "Only a competency rating"),
    ],
)
def test_a_question_breaking_a_rule_between_its_fields_is_refused_and_nothing_changes(
    cast: Cast, data: dict[str, object], field: str, message: str
) -> None:
    template = make_template(cast)
    section = selectors.latest_version(template).sections.all()[0]
    with pytest.raises(ValidationError) as caught:
        services.question_add(
            viewer=cast.viewer(cast.hr),
            template=template,
            section_id=section.pk,
            question=question(**data),
        )
    assert message in caught.value.message_dict[field][0]
    assert section.questions.count() == 3


def test_template_create_names_the_nested_field_and_writes_nothing(cast: Cast) -> None:
    bad = {"title": "S", "questions": [text("ok"), rating("bad", scale=[])]}
    with pytest.raises(ValidationError) as caught:
        make_template(cast, sections=[bad])
    assert "sections.0.questions.1.scale" in caught.value.message_dict
    assert not TemplateVersion.objects.exists()


def test_a_competency_question_rates_a_competency_of_the_framework(cast: Cast) -> None:
    _levels, competency = make_framework(cast)
    template = make_template(cast)
    section = selectors.latest_version(template).sections.all()[0]
    made = services.question_add(
        viewer=cast.viewer(cast.hr),
        template=template,
        section_id=section.pk,
        question=question(
            kind="competency",
            prompt="Communication",
            answered_by=["self", "manager", "peer"],
            competency_id=competency.pk,
        ),
    )
    assert made.competency == competency and made.is_scored


@pytest.mark.parametrize("member", ["manager", "alice", "skip"])
def test_only_hr_admins_build_templates(cast: Cast, member: str) -> None:
    template = make_template(cast)
    with pytest.raises(Http404):
        services.section_add(
            viewer=cast.viewer(getattr(cast, member)),
            template=template,
            title="Sneaky",
            weight=Decimal(1),
        )
    with pytest.raises(Http404):
        selectors.templates_for(cast.viewer(getattr(cast, member)))


def test_section_shares_count_only_sections_with_a_rating(cast: Cast) -> None:
    template = make_template(cast)
    shares = selectors.section_shares(selectors.latest_version(template))
    assert [(v.section.title, v.share) for v in shares] == [("Results", 1.0), ("Feedback", 0.0)]
