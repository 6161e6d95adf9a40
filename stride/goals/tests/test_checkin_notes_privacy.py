"""A note or confidence written in a check-in stays with the check-in: people who may see the
objective but not the check-in see the value only."""

from __future__ import annotations

from stride.testing import Cast, check_in, first_kr, make_objective


def test_check_in_notes_on_a_public_goal_are_hidden_from_those_who_cannot_read_the_check_in(
    cast: Cast,
) -> None:
    objective = make_objective(cast, cast.alice, "Public roadmap")
    kr = first_kr(objective)
    check_in(
        cast,
        cast.alice,
        kr_updates=[{"key_result_id": kr.pk, "value": 30, "confidence": 2, "note": "burnt out"}],
    )
    page = cast.client(cast.outsider).get(f"/goals/{objective.pk}/")
    assert page.status_code == 200
    assert b"burnt out" not in page.content
    api = cast.client(cast.outsider).get(f"/api/v1/key-results/{kr.pk}/updates").json()
    latest = api[-1] if isinstance(api, list) else api["items"][-1]
    assert latest["value"] in ("30.0000", "30", 30)
    assert latest["note"] == "" and latest["confidence"] is None and latest["checkin_id"] is None


def test_the_manager_still_sees_the_check_in_note_on_the_goal(cast: Cast) -> None:
    objective = make_objective(cast, cast.alice, "Public roadmap")
    kr = first_kr(objective)
    check_in(
        cast,
        cast.alice,
        kr_updates=[{"key_result_id": kr.pk, "value": 30, "confidence": 2, "note": "burnt out"}],
    )
    page = cast.client(cast.manager).get(f"/goals/{objective.pk}/")
    assert b"burnt out" in page.content
    api = cast.client(cast.manager).get(f"/api/v1/key-results/{kr.pk}/updates").json()
    latest = api[-1] if isinstance(api, list) else api["items"][-1]
    assert latest["note"] == "burnt out" and latest["confidence"] == 2


def test_reading_someone_elses_check_in_is_audited_but_reading_your_own_is_not(
    cast: Cast,
) -> None:
    from stride.access.models import AuditEntry

    checkin = check_in(cast, cast.alice, progress="Shipped")
    cast.client(cast.alice).get(f"/check-ins/{checkin.pk}/")
    assert not AuditEntry.objects.filter(kind="read").exists()
    cast.client(cast.hr).get(f"/api/v1/check-ins/{checkin.pk}")
    entry = AuditEntry.objects.get(kind="read")
    assert (entry.actor, entry.action, entry.target_id) == (
        cast.hr,
        "checkin.read",
        str(checkin.pk),
    )


def test_a_managers_look_at_a_private_goal_is_audited(cast: Cast) -> None:
    from stride.access.models import AuditEntry
    from stride.goals.models import Objective

    objective = make_objective(cast, cast.alice, "Private", visibility=Objective.Visibility.PRIVATE)
    assert cast.client(cast.manager).get(f"/goals/{objective.pk}/").status_code == 200
    entry = AuditEntry.objects.get(kind="read")
    assert (entry.actor, entry.action) == (cast.manager, "objective.read_private")
