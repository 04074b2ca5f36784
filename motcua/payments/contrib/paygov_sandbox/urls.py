from django.urls import path  # noqa: F401

app_name = "paygov_sandbox"
urlpatterns: list = []
