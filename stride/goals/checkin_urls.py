from django.urls import path

from stride.goals import checkin_views

urlpatterns = [
    path("check-ins/new", checkin_views.checkin_form, name="checkin_form"),
    path("team/", checkin_views.checkin_form, name="team_checkins"),
]
