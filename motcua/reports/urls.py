from django.urls import path  # noqa: F401 - the parts add their paths

app_name = "reports"

# Officer pages live under /officer/reports/, the public page under /statistics/
# (decision 0059). Each part adds its own lines.
urlpatterns: list = []
