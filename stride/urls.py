from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path

from stride import views
from stride.api import api

# allauth routes Stride closes (they answer 404). An account has exactly one e-mail address,
# set by HR through the people import, the admin or the API; a person may not add, change,
# remove or re-verify addresses themselves. Each route below leads to that:
#   email/                  the address page and its POST actions (add, primary, send, remove)
#   confirm-email/…         "verification sent" and confirming a key (re-verification)
#   reauthenticate/code/…   re-authentication by e-mailed code (login by code is off; the
#                           password re-authentication that two-factor pages need stays)
#   login/code/confirm/     login by e-mailed code (off)
#   3rdparty/               connecting another identity provider account to one's login;
#                           single sign-on matches accounts by HR's address instead
# The connect step of the single sign-on flow itself is refused in
# stride.access.adapters.SocialAccountAdapter.
CLOSED_ACCOUNT_ROUTES = [
    re_path(r"^accounts/email/", views.closed),
    re_path(r"^accounts/confirm-email/", views.closed),
    re_path(r"^accounts/reauthenticate/code/", views.closed),
    re_path(r"^accounts/login/code/", views.closed),
    re_path(r"^accounts/3rdparty/$", views.closed),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    *CLOSED_ACCOUNT_ROUTES,
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    path("people/", include("stride.org.urls")),
    path("access/", include("stride.access.urls")),
    path("", include("stride.goals.urls")),
    path("reviews/", include("stride.reviews.urls")),
    path("admin/", admin.site.urls),
]
