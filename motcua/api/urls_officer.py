"""The agency administrator's pages for API clients, under /officer/api-clients/."""

from django.urls import path

from motcua.api import views_clients

app_name = "api_clients"

urlpatterns = [
    path("", views_clients.client_list, name="list"),
    path("new/", views_clients.client_new, name="new"),
    path("<int:pk>/", views_clients.client_detail, name="detail"),
    path("<int:pk>/secret/", views_clients.client_secret, name="secret"),
    path("<int:pk>/active/", views_clients.client_active, name="active"),
]
