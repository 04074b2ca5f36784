from django.urls import path

from motcua.proactive import views

app_name = "proactive"

urlpatterns = [
    path("", views.overview, name="overview"),
]
