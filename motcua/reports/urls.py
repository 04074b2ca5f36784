from django.urls import path

from motcua.reports import views_dashboard

app_name = "reports"

# Officer pages live under /officer/reports/, the public page under /statistics/
# (decision 0059). Each part adds its own lines.
urlpatterns: list = [
    path("officer/reports/", views_dashboard.dashboard_page, name="dashboard"),
    path("officer/reports/dossiers/", views_dashboard.dossiers_page, name="dossiers"),
]
