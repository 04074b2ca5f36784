from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class WorkflowConfig(AppConfig):
    name = "motcua.workflow"
    verbose_name = "Quy trình xử lý"

    def ready(self):
        # Models, and what imports them, only once every app is loaded (Django's app registry).
        from motcua.dossiers.models import Dossier
        from motcua.workflow import (
            counts,
            dossier_page,
            machine,
            panels,  # noqa: F401 - registers the page panels
            subscribers,  # noqa: F401 - registers them
        )
        from motcua.workflow.models import Task, Workflow

        # The dossiers' timelines and the documents label workflow's events from here on.
        machine.register_event_kinds()

        # Each process keeps the workflow versions it has read (dossier_page.workflow_version).
        post_save.connect(
            dossier_page.forget_workflow, sender=Workflow, dispatch_uid="workflow-saved"
        )
        post_delete.connect(
            dossier_page.forget_workflow, sender=Workflow, dispatch_uid="workflow-deleted"
        )
        # Inbox counts are kept per unit in the cache (counts.inbox_counts): each change
        # of a dossier or task moves its units' counts on.
        for model, receiver in (
            (Dossier, counts.dossier_changed),
            (Task, counts.task_changed),
        ):
            label = model._meta.model_name
            post_save.connect(receiver, sender=model, dispatch_uid=f"inbox-{label}-saved")
            post_delete.connect(receiver, sender=model, dispatch_uid=f"inbox-{label}-deleted")
