"""The applicant's actions on a dossier in progress, beside the dossier's own pages."""

from django.urls import path

from motcua.workflow.views import applicant

app_name = "applicant"
urlpatterns = [
    path(
        "dossiers/<uuid:dossier_uuid>/supplement/",
        applicant.supplement_submit,
        name="supplement_submit",
    ),
    path("dossiers/<uuid:dossier_uuid>/withdraw/", applicant.withdraw, name="withdraw"),
]
