from django.urls import path

from motcua.payments import views

app_name = "payments"
urlpatterns = [
    path("dossiers/<uuid:dossier_uuid>/payments/", views.start, name="start"),
    path("dossiers/<uuid:dossier_uuid>/receipts/<int:receipt_id>/", views.receipt, name="receipt"),
    path("payments/return/<slug:gateway>/", views.gateway_return, name="return"),
    path("payments/ipn/<slug:gateway>/", views.ipn, name="ipn"),
    # Gateways keep the IPN address they were given and follow no redirect (decision 0019).
    path("thanh-toan/ipn/<slug:gateway>/", views.ipn, name="ipn_old_path"),
    path("officer/payments/issues/", views.issues, name="issues"),
]
