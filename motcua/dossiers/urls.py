from django.urls import path

from motcua.dossiers import views

app_name = "dossiers"
urlpatterns = [
    path("procedures/<str:code>/start/", views.start, name="start"),
    path("dossiers/", views.mine, name="mine"),
    path("dossiers/<uuid:dossier_uuid>/", views.detail, name="detail"),
    path("dossiers/<uuid:dossier_uuid>/form/<slug:section>/", views.edit_section, name="section"),
    path("dossiers/<uuid:dossier_uuid>/attachments/", views.attachments, name="attachments"),
    path(
        "dossiers/<uuid:dossier_uuid>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path(
        "dossiers/<uuid:dossier_uuid>/attachments/<int:attachment_id>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
    path("dossiers/<uuid:dossier_uuid>/delivery/", views.delivery, name="delivery"),
    path("dossiers/<uuid:dossier_uuid>/review/", views.review, name="review"),
    path("dossiers/<uuid:dossier_uuid>/submit/", views.submit, name="submit"),
    path("dossiers/<uuid:dossier_uuid>/submitted/", views.submitted, name="submitted"),
    path("dossiers/<uuid:dossier_uuid>/discard/", views.discard, name="discard"),
    path(
        "dossiers/<uuid:dossier_uuid>/supplement/files/",
        views.supplement_upload,
        name="supplement_upload",
    ),
    path("dossiers/<uuid:dossier_uuid>/messages/", views.message_post, name="message_post"),
    path(
        "dossiers/<uuid:dossier_uuid>/messages/files/<int:file_id>/",
        views.message_file,
        name="message_file",
    ),
    path("track/", views.track, name="track"),
]
