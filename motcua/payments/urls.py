from django.urls import path

from motcua.payments import views

app_name = "payments"
urlpatterns = [
    path("ho-so/<uuid:dossier_uuid>/thanh-toan/", views.start, name="start"),
    path("ho-so/<uuid:dossier_uuid>/bien-lai/<int:receipt_id>/", views.receipt, name="receipt"),
    path("thanh-toan/ket-qua/<slug:gateway>/", views.gateway_return, name="return"),
    path("thanh-toan/ipn/<slug:gateway>/", views.ipn, name="ipn"),
    path("can-bo/thanh-toan/sai-lech/", views.issues, name="issues"),
]
