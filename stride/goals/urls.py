from django.urls import path

from stride.goals import views

app_name = "goals"
urlpatterns = [
    path("goals/", views.my_goals, name="my_goals"),
]
