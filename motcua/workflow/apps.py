from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class WorkflowConfig(AppConfig):
    name = "motcua.workflow"
    verbose_name = "Quy trình xử lý"

    def ready(self):
        from motcua.workflow import selectors
        from motcua.workflow.models import Workflow

        # Each process keeps the workflow versions it has read (selectors.workflow_version).
        post_save.connect(selectors.forget_workflow, sender=Workflow, dispatch_uid="workflow-saved")
        post_delete.connect(
            selectors.forget_workflow, sender=Workflow, dispatch_uid="workflow-deleted"
        )
