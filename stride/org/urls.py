from django.urls import path

from stride.lib import ids  # noqa: F401  (registers the <id:…> converter)
from stride.org import views

app_name = "org"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("tree/", views.tree, name="tree"),
    path("import/", views.people_import, name="import"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("<id:person_id>/", views.person, name="person"),
    path("<id:person_id>/reports", views.reports, name="reports"),
]
