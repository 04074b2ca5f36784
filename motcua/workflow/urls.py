from django.urls import path

from motcua.workflow import views

app_name = "workflow"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("intake/", views.intake, name="intake"),
    path("workflows/", views.workflows, name="workflows"),
    path("workflows/<int:procedure_id>/", views.workflow_edit, name="workflow_edit"),
    path("dossiers/<uuid:dossier_uuid>/", views.dossier_page, name="dossier"),
    path("dossiers/<uuid:dossier_uuid>/comments/", views.comment, name="comment"),
    path(
        "dossiers/<uuid:dossier_uuid>/tasks/<int:task_id>/",
        views.answer_task,
        name="answer_task",
    ),
    path(
        "dossiers/<uuid:dossier_uuid>/files/<int:attachment_id>/",
        views.attachment_preview,
        name="attachment_preview",
    ),
    path(
        "dossiers/<uuid:dossier_uuid>/files/<int:attachment_id>/content/",
        views.attachment_file,
        name="attachment",
    ),
    path("dossiers/<uuid:dossier_uuid>/<slug:name>/", views.action, name="action"),
]
