from django.urls import path

from motcua.reports import views_dashboard, views_exports, views_public, views_scoring

app_name = "reports"

# Officer pages live under /officer/reports/, the public page under /statistics/
# (decision 0059). Each part adds its own lines.
urlpatterns: list = [
    path("statistics/", views_public.statistics, name="public"),
    path("officer/reports/exports/", views_exports.export_list, name="exports"),
    path("officer/reports/exports/<uuid:export_uuid>/", views_exports.export_detail, name="export"),
    path(
        "officer/reports/exports/<uuid:export_uuid>/status.json",
        views_exports.export_status,
        name="export_status",
    ),
    path(
        "officer/reports/exports/<uuid:export_uuid>/download/",
        views_exports.export_download,
        name="export_download",
    ),
    path("officer/reports/", views_dashboard.dashboard_page, name="dashboard"),
    path("officer/reports/dossiers/", views_dashboard.dossiers_page, name="dossiers"),
    path("officer/reports/scoring/", views_scoring.scoring_page, name="scoring"),
]
