"""API routes: officer actions on dossiers and answers to tasks (decision 0072)."""

from django.urls import path

from motcua.api.views_actions import DossierActionsView, TaskAnswerView

urlpatterns = [
    path(
        "dossiers/<uuid:dossier_uuid>/actions/",
        DossierActionsView.as_view(),
        name="api-dossier-actions",
    ),
    path("tasks/<int:task_id>/answer/", TaskAnswerView.as_view(), name="api-task-answer"),
]
