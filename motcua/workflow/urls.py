from django.urls import path

from motcua.workflow.views import actions, dossier, inbox, intake, workflows

app_name = "workflow"
urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("tiep-nhan/", intake.intake, name="intake"),
    path("quy-trinh/", workflows.workflows, name="workflows"),
    path("quy-trinh/<int:procedure_id>/", workflows.workflow_edit, name="workflow_edit"),
    path("ho-so/<uuid:dossier_uuid>/", dossier.dossier_page, name="dossier"),
    path("ho-so/<uuid:dossier_uuid>/y-kien/", actions.comment, name="comment"),
    path(
        "ho-so/<uuid:dossier_uuid>/nhiem-vu/<int:task_id>/",
        actions.answer_task,
        name="answer_task",
    ),
    path(
        "ho-so/<uuid:dossier_uuid>/tep/<int:attachment_id>/",
        dossier.attachment_preview,
        name="attachment_preview",
    ),
    path(
        "ho-so/<uuid:dossier_uuid>/tep/<int:attachment_id>/noi-dung/",
        dossier.attachment_file,
        name="attachment",
    ),
    path("ho-so/<uuid:dossier_uuid>/<slug:name>/", actions.action, name="action"),
]
