from django.urls import path

from motcua.notifications.contrib.sms import views

app_name = "sms"
urlpatterns = [
    path("report/", views.delivery_report, name="report"),
]
