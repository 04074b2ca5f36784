from django.urls import path

from motcua.documents import views

# Included at "" by motcua/urls.py: documents next to the applicant's dossier pages (shared
# with officers who may see the dossier), officer-only pages under can-bo/ like the back office.
app_name = "documents"
urlpatterns = [
    path(
        "dossiers/<uuid:dossier_uuid>/documents/<int:document_id>/",
        views.document_html,
        name="html",
    ),
    path(
        "dossiers/<uuid:dossier_uuid>/documents/<int:document_id>.pdf",
        views.document_pdf,
        name="pdf",
    ),
    path(
        "can-bo/ho-so/<uuid:dossier_uuid>/phieu-kiem-soat.pdf",
        views.control_sheet,
        name="control_sheet",
    ),
    path("can-bo/so-theo-doi/", views.tracking_book, name="tracking_book"),
    path(
        "can-bo/so-theo-doi/<int:unit_id>/<int:year>.xlsx",
        views.tracking_book_xlsx,
        name="tracking_book_xlsx",
    ),
    path(
        "can-bo/so-theo-doi/<int:unit_id>/<int:year>.pdf",
        views.tracking_book_pdf,
        name="tracking_book_pdf",
    ),
]
