from django.urls import path

from motcua.results import views

app_name = "results"
urlpatterns = [
    path("xac-minh/", views.verify_upload, name="verify_upload"),
    path("xac-minh/<str:token>/", views.verify_token, name="verify_token"),
    path("ket-qua/<int:result_id>/tai-ve/", views.download, name="download"),
    path("can-bo/ket-qua/<int:result_id>/thu-hoi/", views.revoke, name="revoke"),
]
