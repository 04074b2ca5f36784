from django.urls import path  # noqa: F401 - the parts add their paths

from motcua.reports import views_public

app_name = "reports"

# Officer pages live under /officer/reports/, the public page under /statistics/
# (decision 0059). Each part adds its own lines.
urlpatterns: list = [
    path("statistics/", views_public.statistics, name="public"),
]
