"""The officers' pages of the national portal app, under /officer/national-portal/."""

from django.urls import path

from motcua.nationalportal import views

app_name = "nationalportal"
urlpatterns = [
    path("", views.not_in_sync, name="not_in_sync"),
    path("retry-failed/", views.retry_failed, name="retry_failed"),
    path("dossiers/<uuid:dossier_uuid>/retry/", views.retry, name="retry"),
]
