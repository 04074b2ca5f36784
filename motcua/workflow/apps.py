from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class WorkflowConfig(AppConfig):
    name = "motcua.workflow"
    verbose_name = "Quy trình xử lý"

    def ready(self):
        # Models, and what imports them, only once every app is loaded (Django's app registry).
        from motcua.dossiers.models import Dossier
        from motcua.workflow import (
            machine,
            selectors,
            subscribers,  # noqa: F401 - registers the subscribers
        )
        from motcua.workflow.models import Task, Workflow

        # The dossiers' timelines and the documents label workflow's events from here on.
        machine.register_event_kinds()

        # Each process keeps the workflow versions it has read (selectors.workflow_version).
        post_save.connect(selectors.forget_workflow, sender=Workflow, dispatch_uid="workflow-saved")
        post_delete.connect(
            selectors.forget_workflow, sender=Workflow, dispatch_uid="workflow-deleted"
        )
        # Inbox counts are kept per unit in the cache (selectors.inbox_counts): each change
        # of a dossier or task moves its units' counts on.
        for model, receiver in (
            (Dossier, selectors.dossier_changed),
            (Task, selectors.task_changed),
        ):
            label = model._meta.model_name
            post_save.connect(receiver, sender=model, dispatch_uid=f"inbox-{label}-saved")
            post_delete.connect(receiver, sender=model, dispatch_uid=f"inbox-{label}-deleted")
