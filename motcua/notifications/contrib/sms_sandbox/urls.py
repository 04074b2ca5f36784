from django.urls import path

from motcua.notifications.contrib.sms_sandbox import views

app_name = "sms_sandbox"
urlpatterns = [
    path("", views.phone, name="phone"),
    path("api/send", views.send, name="send"),
]
