from django.urls import path

from motcua.payments.contrib.sandbox import views

app_name = "payment_sandbox"
urlpatterns = [
    # The same paths as VNPay's own sandbox (sandbox.vnpayment.vn).
    path("paymentv2/vpcpay.html", views.pay, name="pay"),
    path("paymentv2/confirm/<int:transaction_id>/", views.confirm, name="confirm"),
    path("merchant_webapi/api/transaction", views.api, name="api"),
]
