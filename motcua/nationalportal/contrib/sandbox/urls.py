from django.urls import path

from motcua.nationalportal.contrib.dvcqg import protocol
from motcua.nationalportal.contrib.sandbox import views

app_name = "nationalportal_sandbox"
urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("outage/", views.outage, name="outage"),
    path(protocol.TOKEN_PATH.lstrip("/"), views.token, name="token"),
    path(protocol.STATUS_PATH.lstrip("/"), views.status_update, name="status"),
]
