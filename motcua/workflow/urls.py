from django.urls import path

from motcua.workflow.views import actions, dossier, inbox, intake, workflows

app_name = "workflow"
urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("intake/", intake.intake, name="intake"),
    path("workflows/", workflows.workflows, name="workflows"),
    path("workflows/<int:procedure_id>/", workflows.workflow_edit, name="workflow_edit"),
    path("dossiers/<uuid:dossier_uuid>/", dossier.dossier_page, name="dossier"),
    path("dossiers/<uuid:dossier_uuid>/comments/", actions.comment, name="comment"),
    path("dossiers/<uuid:dossier_uuid>/messages/", actions.message, name="message_post"),
    path(
        "dossiers/<uuid:dossier_uuid>/messages/files/<int:file_id>/",
        dossier.message_file,
        name="message_file",
    ),
    path(
        "dossiers/<uuid:dossier_uuid>/tasks/<int:task_id>/",
        actions.answer_task,
        name="answer_task",
    ),
    path(
        "dossiers/<uuid:dossier_uuid>/files/<int:attachment_id>/",
        dossier.attachment_preview,
        name="attachment_preview",
    ),
    path(
        "dossiers/<uuid:dossier_uuid>/files/<int:attachment_id>/content/",
        dossier.attachment_file,
        name="attachment",
    ),
    path("dossiers/<uuid:dossier_uuid>/<slug:name>/", actions.action, name="action"),
]
