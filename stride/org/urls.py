from django.urls import path

from stride.org import views

app_name = "org"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("tree/", views.tree, name="tree"),
    path("import/", views.people_import, name="import"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("<int:person_id>/", views.person, name="person"),
    path("<int:person_id>/reports", views.reports, name="reports"),
]
