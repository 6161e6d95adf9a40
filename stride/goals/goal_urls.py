from django.urls import path

from stride.goals import views

urlpatterns = [
    path("goals/", views.my_goals, name="my_goals"),
    path("goals/team/", views.my_goals, name="team_goals"),
    path("goals/company/", views.my_goals, name="alignment"),
]
