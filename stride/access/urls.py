from django.urls import path

from stride.access import views

app_name = "access"
urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke", views.token_revoke, name="token_revoke"),
    path("audit/", views.audit_log, name="audit_log"),
]
