"""Goal pages and check-in pages (``checkins.urls``) share one namespace."""

from django.urls import path

from stride.goals import views
from stride.goals.checkins import urls as checkin_urls
from stride.lib import ids  # noqa: F401  (registers the <id:…> converter)

app_name = "goals"
urlpatterns = [
    path("goals/", views.my_goals, name="my_goals"),
    path("goals/new", views.objective_create, name="objective_create"),
    path("goals/team/", views.team_goals, name="team_goals"),
    path("goals/company/", views.alignment, name="alignment"),
    path("goals/person/<id:person_id>/", views.person_goals, name="person_goals"),
    path("goals/<id:objective_id>/", views.objective_detail, name="objective_detail"),
    path("goals/<id:objective_id>/edit", views.objective_edit, name="objective_edit"),
    path("goals/<id:objective_id>/delete", views.objective_delete, name="objective_delete"),
    path(
        "goals/<id:objective_id>/key-results/new",
        views.key_result_create,
        name="key_result_create",
    ),
    path(
        "goals/key-results/<id:key_result_id>/value",
        views.key_result_value,
        name="key_result_value",
    ),
    *checkin_urls.urlpatterns,
]
