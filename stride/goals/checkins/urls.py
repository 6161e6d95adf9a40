"""Check-in pages; included into the ``goals`` namespace by ``goals.urls``."""

from django.urls import path

from stride.goals.checkins import views as checkin_views
from stride.lib import ids  # noqa: F401  (registers the <id:…> converter)

urlpatterns = [
    path("check-ins/", checkin_views.checkin_list, name="checkin_list"),
    path("check-ins/new", checkin_views.checkin_form, name="checkin_form"),
    path("check-ins/new/key-results", checkin_views.checkin_kr_rows, name="checkin_kr_rows"),
    path("check-ins/settings", checkin_views.checkin_settings, name="checkin_settings"),
    path(
        "check-ins/person/<id:person_id>/",
        checkin_views.person_checkins,
        name="person_checkins",
    ),
    path("check-ins/<id:checkin_id>/", checkin_views.checkin_detail, name="checkin_detail"),
    path(
        "check-ins/<id:checkin_id>/comments",
        checkin_views.checkin_comment_add,
        name="checkin_comment_add",
    ),
    path("team/", checkin_views.team_checkins, name="team_checkins"),
]
