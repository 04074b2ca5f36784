from django.urls import path

from motcua.results import views

app_name = "results"
urlpatterns = [
    path("verify/", views.verify_upload, name="verify_upload"),
    path("verify/<str:token>/", views.verify_token, name="verify_token"),
    path("results/<int:result_id>/download/", views.download, name="download"),
    path("officer/results/<int:result_id>/revoke/", views.revoke, name="revoke"),
    path("dossiers/<uuid:dossier_uuid>/attachments/reuse/", views.reuse, name="reuse"),
]
