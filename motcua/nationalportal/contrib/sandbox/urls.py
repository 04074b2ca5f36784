from django.urls import path  # noqa: F401

app_name = "nationalportal_sandbox"
urlpatterns: list = []
