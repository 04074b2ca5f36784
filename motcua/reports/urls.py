from django.urls import path  # noqa: F401 - the parts add their paths

from motcua.reports import views_scoring

app_name = "reports"

# Officer pages live under /officer/reports/, the public page under /statistics/
# (decision 0059). Each part adds its own lines.
urlpatterns: list = [
    path("officer/reports/scoring/", views_scoring.scoring_page, name="scoring"),
]
