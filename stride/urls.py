from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from stride import views
from stride.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    path("people/", include("stride.org.urls")),
    path("access/", include("stride.access.urls")),
    path("", include("stride.goals.urls")),
    path("admin/", admin.site.urls),
]
