from django.urls import path

from stride.lib import ids  # noqa: F401  (registers the <id:…> converter)
from stride.reviews import views, views_calibration, views_sign_off
from stride.reviews.growth import views as growth_views

app_name = "reviews"
T = "templates/<id:template_id>"
urlpatterns = [
    path("templates/", views.templates, name="templates"),
    path(f"{T}/", views.template_detail, name="template_detail"),
    path(f"{T}/edit", views.template_edit, name="template_edit"),
    path(f"{T}/preview", views.template_preview, name="template_preview"),
    path(f"{T}/sections/new", views.section_add, name="section_add"),
    path(f"{T}/sections/<id:section_id>/edit", views.section_edit, name="section_edit"),
    path(f"{T}/sections/<id:section_id>/delete", views.section_delete, name="section_delete"),
    path(f"{T}/sections/<id:section_id>/questions/new", views.question_add, name="question_add"),
    path(f"{T}/questions/<id:question_id>/edit", views.question_edit, name="question_edit"),
    path(f"{T}/questions/<id:question_id>/delete", views.question_delete, name="question_delete"),
    path("cycles/", views.cycles, name="cycles"),
    path("cycles/new", views.cycle_create, name="cycle_create"),
    path("cycles/<id:cycle_id>/", views.cycle_detail, name="cycle_detail"),
    path("cycles/<id:cycle_id>/analytics", views.cycle_analytics, name="cycle_analytics"),
    path("cycles/<id:cycle_id>/launch", views.cycle_launch, name="cycle_launch"),
    path("cycles/<id:cycle_id>/progress.csv", views.cycle_export, name="cycle_export"),
    path(
        "participants/<id:participant_id>/reopen",
        views.participant_reopen,
        name="participant_reopen",
    ),
    path(
        "cycles/<id:cycle_id>/calibration",
        views_calibration.calibration_page,
        name="calibration",
    ),
    path(
        "<id:review_id>/calibration/reaction",
        views_calibration.calibration_react,
        name="calibration_react",
    ),
    path(
        "<id:review_id>/calibration/change",
        views_calibration.calibration_change,
        name="calibration_change",
    ),
    path("mine/", views.my_reviews, name="mine"),
    path("<id:review_id>/", views.review, name="review"),
    path("<id:review_id>/peers", views.peers, name="peers"),
    path("<id:review_id>/share", views_sign_off.review_share, name="share"),
    path("<id:review_id>/acknowledge", views_sign_off.review_acknowledge, name="acknowledge"),
    path("<id:review_id>/meeting.ics", views_sign_off.review_meeting, name="meeting"),
    path("<id:review_id>/review.pdf", views_sign_off.review_pdf_download, name="pdf"),
    path(
        "cycles/<id:cycle_id>/results.csv",
        views_sign_off.cycle_results_csv,
        name="cycle_results_csv",
    ),
    path(
        "cycles/<id:cycle_id>/results.xlsx",
        views_sign_off.cycle_results_xlsx,
        name="cycle_results_xlsx",
    ),
    path("<id:review_id>/peers/decide", views.peers_decide, name="peers_decide"),
    path("requests/<id:request_id>/", views.review_request, name="request"),
    path("requests/<id:request_id>/decline", views.review_request_decline, name="request_decline"),
    path(
        "participants/<id:participant_id>/nudge", views.participant_nudge, name="participant_nudge"
    ),
    path("competencies/", views.competencies, name="competencies"),
    path("competencies/job-levels", views.job_level_add, name="job_level_add"),
    path("competencies/new", views.competency_add, name="competency_add"),
    path("competencies/<id:competency_id>/edit", views.competency_edit, name="competency_edit"),
    path("people/<id:person_id>/job-level", views.person_job_level, name="person_job_level"),
    path("people/<id:person_id>/growth", growth_views.growth, name="growth"),
    path(
        "development-items/<id:development_item_id>/edit",
        growth_views.development_item_edit,
        name="development_item_edit",
    ),
    path(
        "development-items/<id:development_item_id>/delete",
        growth_views.development_item_delete,
        name="development_item_delete",
    ),
]
