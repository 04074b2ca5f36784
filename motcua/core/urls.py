from django.urls import path

from motcua.core import views

app_name = "core"
urlpatterns = [
    path("health/", views.health, name="health"),
    path("health/live/", views.live, name="live"),
    path("favicon.ico", views.favicon, name="favicon"),
]
