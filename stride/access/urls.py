from django.urls import path

from stride.access import views
from stride.lib import ids  # noqa: F401  (registers the <id:…> converter)

app_name = "access"
urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<id:token_id>/revoke", views.token_revoke, name="token_revoke"),
    path("audit/", views.audit_log, name="audit_log"),
]
