"""HR builds a review template in the browser, form by form, and only HR reaches the pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from stride.reviews import selectors, services
from stride.reviews.models import ReviewTemplate, TemplateVersion
from stride.testing import Cast
from stride.testing.reviews import launch_cycle, make_framework, make_template

SCALE = {
    "scale_1_label": "Not yet",
    "scale_1_description": "Rarely meets the bar.",
    "scale_2_label": "Meets",
    "scale_3_label": "Exceeds",
    "scale_3_description": "Raises the bar for others.",
}


def follow(client: Client, response: object) -> str:
    location = response["Location"]  # type: ignore[index]
    return client.get(location).content.decode()


def test_hr_builds_a_template_in_the_browser(cast: Cast) -> None:
    hr = cast.client(cast.hr)
    created = hr.post(reverse("reviews:templates"), {"name": "Mid-year", "description": "H1"})
    assert created.status_code == 302
    template = ReviewTemplate.objects.get(name="Mid-year")
    builder = reverse("reviews:template_detail", args=[template.pk])
    assert created["Location"] == builder

    added = hr.post(
        reverse("reviews:section_add", args=[template.pk]), {"title": "Results", "weight": "3"}
    )
    assert added.status_code == 302
    section = selectors.latest_version(template).sections.get()
    question_url = reverse("reviews:question_add", args=[template.pk, section.pk])
    assert hr.get(question_url).status_code == 200
    posted = hr.post(
        question_url,
        {
            "kind": "rating",
            "prompt": "Delivery",
            "weight": "2",
            "answered_by": ["self", "manager"],
            **SCALE,
        },
    )
    assert posted.status_code == 302
    page = follow(hr, posted)
    assert "Delivery" in page
    assert "1 — Not yet: Rarely meets the bar." in page
    assert "3 — Exceeds: Raises the bar for others." in page
    assert "weight 3.00" in page and "100%" in page

    question = selectors.latest_version(template).sections.get().questions.get()
    edit_url = reverse("reviews:question_edit", args=[template.pk, question.pk])
    edit_page = hr.get(edit_url).content.decode()
    assert 'value="Not yet"' in edit_page  # the scale comes back into the form
    hr.post(
        edit_url,
        {"kind": "text", "prompt": "What went well?", "weight": "1", "answered_by": ["peer"]},
    )
    question.refresh_from_db()
    assert (question.kind, question.prompt, question.answered_by) == (
        "text",
        "What went well?",
        ["peer"],
    )


def test_a_rating_without_a_scale_is_shown_back_with_the_reason(cast: Cast) -> None:
    template = make_template(cast)
    section = selectors.latest_version(template).sections.all()[0]
    hr = cast.client(cast.hr)
    response = hr.post(
        reverse("reviews:question_add", args=[template.pk, section.pk]),
        {"kind": "rating", "prompt": "Rate", "weight": "1", "answered_by": ["self"]},
    )
    assert response.status_code == 422
    assert "needs a scale of at least 2 points" in response.content.decode()
    assert section.questions.count() == 3


def test_a_question_nobody_answers_is_refused_naming_the_field(cast: Cast) -> None:
    template = make_template(cast)
    section = selectors.latest_version(template).sections.all()[0]
    response = cast.client(cast.hr).post(
        reverse("reviews:question_add", args=[template.pk, section.pk]),
        {"kind": "text", "prompt": "Say", "weight": "1"},
    )
    assert response.status_code == 422
    assert re.search(r"Choose at least 1", response.content.decode())


def test_the_builder_says_when_a_change_will_make_a_new_version(cast: Cast) -> None:
    template = make_template(cast)
    launch_cycle(cast, template)
    client = cast.client(cast.hr)
    page = client.get(reverse("reviews:template_detail", args=[template.pk])).content.decode()
    assert "Your next change creates a new version" in page
    section = selectors.latest_version(template).sections.all()[1]
    client.post(reverse("reviews:section_delete", args=[template.pk, section.pk]))
    assert TemplateVersion.objects.filter(template=template).count() == 2
    page = client.get(reverse("reviews:template_detail", args=[template.pk])).content.decode()
    assert "Version 2" in page and "Your next change creates a new version" not in page


def test_the_preview_shows_the_persons_expected_level_beside_the_competency_scale(
    cast: Cast,
) -> None:
    levels, competency = make_framework(cast)
    services.person_job_level_set(
        viewer=cast.viewer(cast.hr), person=cast.alice, job_level=levels[1]
    )
    template = make_template(
        cast,
        sections=[
            {
                "title": "Skills",
                "questions": [
                    {
                        "kind": "competency",
                        "prompt": "Communication",
                        "answered_by": ["self", "manager"],
                        "competency_id": competency.pk,
                    }
                ],
            }
        ],
    )
    page = (
        cast.client(cast.hr)
        .get(reverse("reviews:template_preview", args=[template.pk]), {"email": cast.alice.email})
        .content.decode()
    )
    assert "Expected level: Professional." in page
    row = re.search(r'<tr class="expected">(.*?)</tr>', page, re.S)
    assert row is not None and "Professional" in row.group(1)
    assert "Communicates as a professional." in row.group(1)


def test_hr_keeps_the_framework_in_the_browser(cast: Cast) -> None:
    client = cast.client(cast.hr)
    assert (
        client.post(reverse("reviews:job_level_add"), {"name": "Junior", "rank": "1"}).status_code
        == 302
    )
    clash = client.post(reverse("reviews:job_level_add"), {"name": "Other", "rank": "1"})
    assert clash.status_code == 422 and "Another job level has rank 1" in clash.content.decode()
    level = selectors.job_levels(cast.viewer(cast.hr)).get()
    saved = client.post(
        reverse("reviews:competency_add"),
        {
            "name": "Ownership",
            "description": "Sees things through.",
            f"level_{level.pk}": "Finishes tasks.",
        },
    )
    assert saved.status_code == 302
    page = follow(client, saved)
    assert "Ownership" in page and "Finishes tasks." in page
    found = client.get(reverse("reviews:competencies"), {"email": cast.bob.email}).content.decode()
    url = reverse("reviews:person_job_level", args=[cast.bob.pk])
    assert url in found
    assert client.post(url, {"job_level": str(level.pk)}).status_code == 302
    assert selectors.job_level_of(cast.bob) == level


@pytest.mark.parametrize("member", ["manager", "alice", "skip", "outsider"])
def test_people_other_than_hr_get_404_and_no_reviews_link(cast: Cast, member: str) -> None:
    template = make_template(cast)
    client = cast.client(getattr(cast, member))
    for url in (
        reverse("reviews:templates"),
        reverse("reviews:template_detail", args=[template.pk]),
        reverse("reviews:competencies"),
    ):
        assert client.get(url).status_code == 404
    assert reverse("reviews:cycles") not in client.get(reverse("goals:my_goals")).content.decode()
    assert (
        reverse("reviews:cycles")
        in cast.client(cast.hr).get(reverse("goals:my_goals")).content.decode()
    )


def test_a_refused_section_is_shown_back_on_the_builder_with_the_reason(cast: Cast) -> None:
    template = make_template(cast)
    response = cast.client(cast.hr).post(
        reverse("reviews:section_add", args=[template.pk]), {"title": "Values", "weight": "0"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Enter a number above 0." in page and 'value="Values"' in page
    assert selectors.latest_version(template).sections.count() == 2
