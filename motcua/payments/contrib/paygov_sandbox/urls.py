from django.urls import path

from motcua.payments.contrib.paygov_sandbox import views

app_name = "paygov_sandbox"
urlpatterns = [
    path("thanh-toan/", views.pay, name="pay"),
    path("thanh-toan/<int:transaction_id>/xac-nhan/", views.confirm, name="confirm"),
    path("api/v1/<slug:endpoint>", views.api, name="api"),
]
