from django.urls import path

from motcua.payments.contrib.paygov_sandbox import views

app_name = "paygov_sandbox"
urlpatterns = [
    path("pay/", views.pay, name="pay"),
    path("pay/<int:transaction_id>/confirm/", views.confirm, name="confirm"),
    path("api/v1/<slug:endpoint>", views.api, name="api"),
]
