from django.urls import path

from motcua.workflow import views

app_name = "workflow"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("tiep-nhan/", views.intake, name="intake"),
    path("quy-trinh/", views.workflows, name="workflows"),
    path("quy-trinh/<int:procedure_id>/", views.workflow_edit, name="workflow_edit"),
    path("ho-so/<uuid:dossier_uuid>/", views.dossier_page, name="dossier"),
    path("ho-so/<uuid:dossier_uuid>/y-kien/", views.comment, name="comment"),
    path(
        "ho-so/<uuid:dossier_uuid>/nhiem-vu/<int:task_id>/",
        views.answer_task,
        name="answer_task",
    ),
    path(
        "ho-so/<uuid:dossier_uuid>/tep/<int:attachment_id>/",
        views.attachment_preview,
        name="attachment_preview",
    ),
    path(
        "ho-so/<uuid:dossier_uuid>/tep/<int:attachment_id>/noi-dung/",
        views.attachment_file,
        name="attachment",
    ),
    path("ho-so/<uuid:dossier_uuid>/<slug:name>/", views.action, name="action"),
]
