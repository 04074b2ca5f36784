from django.urls import path

from motcua.registers.contrib.sandbox import views

app_name = "register_sandbox"
urlpatterns = [
    path("oauth2/token", views.token, name="token"),
    path("population/v1/citizens/query", views.population, name="population"),
    path("business/v1/enterprises/query", views.business, name="business"),
    path("vehicles/v1/vehicles/query", views.vehicles, name="vehicles"),
]
