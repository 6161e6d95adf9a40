from django.urls import path

from stride.org import views

app_name = "org"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("import/", views.directory, name="import"),
]
