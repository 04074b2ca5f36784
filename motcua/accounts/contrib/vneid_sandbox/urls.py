from django.urls import path  # noqa: F401

app_name = "vneid_sandbox"
urlpatterns: list = []
