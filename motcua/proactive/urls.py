from django.urls import path

from motcua.proactive import views_applicant, views_prepared

app_name = "proactive"

urlpatterns = [
    # The person's page: what falls due, reminders, prepared dossiers, refusing the service.
    path("", views_applicant.overview, name="overview"),
    path("choice/", views_applicant.choice, name="choice"),
    # Every reminder's link: opens the prepared dossier, or starts the offered procedure.
    path("r/<uuid:reminder>/", views_prepared.follow, name="follow"),
    # A prepared dossier: discard it in one step, or take another recommended procedure.
    path("prepared/<uuid:dossier>/discard/", views_prepared.discard, name="discard"),
    path("prepared/<uuid:dossier>/switch/", views_prepared.switch, name="switch"),
]
