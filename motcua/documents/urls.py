from django.urls import path

from motcua.documents import views

# Included at "" by motcua/urls.py: documents next to the applicant's dossier pages (shared
# with officers who may see the dossier), officer-only pages under officer/ like the back office.
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
        "officer/dossiers/<uuid:dossier_uuid>/control-sheet.pdf",
        views.control_sheet,
        name="control_sheet",
    ),
    path("officer/tracking-book/", views.tracking_book, name="tracking_book"),
    path(
        "officer/tracking-book/<int:unit_id>/<int:year>.xlsx",
        views.tracking_book_xlsx,
        name="tracking_book_xlsx",
    ),
    path(
        "officer/tracking-book/<int:unit_id>/<int:year>.pdf",
        views.tracking_book_pdf,
        name="tracking_book_pdf",
    ),
]
