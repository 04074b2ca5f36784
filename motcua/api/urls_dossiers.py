"""API routes: dossiers (decision 0069)."""

from django.urls import path

from motcua.api import views_dossiers as views
from motcua.core.boundary import accepts_files

urlpatterns = [
    path("dossiers/", views.DossierList.as_view(), name="api-dossiers"),
    path("dossiers/<uuid:dossier_uuid>/", views.DossierDetail.as_view(), name="api-dossier"),
    # The portal's upload limits (decision 0028): the middleware reads them off the view.
    path(
        "dossiers/<uuid:dossier_uuid>/attachments/",
        accepts_files("UPLOAD_MAX_BYTES", files_setting="UPLOAD_REQUEST_MAX_BYTES")(
            views.Attachments.as_view()
        ),
        name="api-dossier-attachments",
    ),
    path("dossiers/<uuid:dossier_uuid>/submit/", views.Submit.as_view(), name="api-dossier-submit"),
    path(
        "dossiers/<uuid:dossier_uuid>/timeline/",
        views.Timeline.as_view(),
        name="api-dossier-timeline",
    ),
    path(
        "dossiers/<uuid:dossier_uuid>/documents/",
        views.Documents.as_view(),
        name="api-dossier-documents",
    ),
    path(
        "dossiers/<uuid:dossier_uuid>/documents/<int:document_id>/file/",
        views.DocumentFile.as_view(),
        name="api-dossier-document-file",
    ),
    path("dossiers/<uuid:dossier_uuid>/result/", views.Result.as_view(), name="api-dossier-result"),
    path(
        "dossiers/<uuid:dossier_uuid>/result/file/",
        views.ResultFile.as_view(),
        name="api-dossier-result-file",
    ),
]
