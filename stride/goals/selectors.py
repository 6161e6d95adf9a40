"""Reads of goals and check-ins, scoped by the viewer.

Objective visibility:
- public: every signed-in person;
- team: members of the objective's team (a personal objective's team is its owner's),
  plus the owner, the owner's managers and HR admins;
- private: the owner, the owner's managers (the whole chain above) and HR admins.

Check-in visibility: the author, the author's managers (whole chain), the accountability
partner the author chose, and HR admins.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from stride.access.viewer import Viewer
from stride.goals.models import CheckIn, CheckInComment, KeyResult, Objective

V = Objective.Visibility


def objective_visibility_q(viewer: Viewer, prefix: str = "") -> Q:
    """The filter behind ``objectives_visible_to``, reusable through a relation prefix."""
    if viewer.person is None:
        return Q(pk__in=[])
    if viewer.is_hr_admin:
        return Q()
    me = viewer.person
    own_or_managed = Q(**{f"{prefix}owner__path__startswith": me.path})
    public = Q(**{f"{prefix}visibility": V.PUBLIC})
    team = Q(**{f"{prefix}visibility": V.TEAM})
    if me.team_id is not None:
        team &= Q(**{f"{prefix}team_id": me.team_id}) | Q(
            **{f"{prefix}team__isnull": True, f"{prefix}owner__team_id": me.team_id}
        )
    else:
        team = Q(pk__in=[])
    return public | own_or_managed | team


def objectives_visible_to(viewer: Viewer) -> QuerySet[Objective]:
    """Objectives the viewer may see, with owner, team and key results loaded."""
    return (
        Objective.objects.filter(objective_visibility_q(viewer))
        .select_related("owner", "team", "parent")
        .prefetch_related(
            Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "id"))
        )
    )


def objective_for_viewer(viewer: Viewer, objective_id: int) -> Objective:
    objective = objectives_visible_to(viewer).filter(pk=objective_id).first()
    if objective is None:
        raise Http404
    return objective


def can_edit_objective(viewer: Viewer, objective: Objective) -> bool:
    """The owner, the owner's managers and HR admins may change an objective."""
    return viewer.is_hr_admin or viewer.is_self_or_manager_of(objective.owner)


def objective_for_editor(viewer: Viewer, objective_id: int) -> Objective:
    """The objective if the viewer may edit it; 404 when they may not even see it,
    and also 404 when they may only read it (editing is not theirs to know about)."""
    objective = objective_for_viewer(viewer, objective_id)
    if not can_edit_objective(viewer, objective):
        raise Http404
    return objective


def key_result_for_viewer(viewer: Viewer, key_result_id: int) -> KeyResult:
    kr = (
        KeyResult.objects.select_related("objective__owner", "objective__team")
        .filter(objective_visibility_q(viewer, prefix="objective__"), pk=key_result_id)
        .first()
    )
    if kr is None:
        raise Http404
    return kr


def key_result_for_editor(viewer: Viewer, key_result_id: int) -> KeyResult:
    kr = key_result_for_viewer(viewer, key_result_id)
    if not can_edit_objective(viewer, kr.objective):
        raise Http404
    return kr


def checkin_visibility_q(viewer: Viewer, prefix: str = "") -> Q:
    if viewer.person is None:
        return Q(pk__in=[])
    if viewer.is_hr_admin:
        return Q()
    me = viewer.person
    return Q(**{f"{prefix}person__path__startswith": me.path}) | Q(
        **{f"{prefix}person__checkin_preference__partner_id": me.pk}
    )


def checkins_visible_to(viewer: Viewer) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(checkin_visibility_q(viewer)).select_related("person")


def checkin_for_viewer(viewer: Viewer, checkin_id: int) -> CheckIn:
    checkin = (
        checkins_visible_to(viewer)
        .prefetch_related(
            Prefetch("comments", queryset=CheckInComment.objects.select_related("author")),
            "kr_updates__key_result",
        )
        .filter(pk=checkin_id)
        .first()
    )
    if checkin is None:
        raise Http404
    return checkin
