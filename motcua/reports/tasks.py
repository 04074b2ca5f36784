"""Celery tasks of reports: build an export, delete the old ones (decision 0064)."""

from celery import shared_task

from motcua.reports.export_jobs import delete_old_exports, run_export


@shared_task(name="motcua.reports.tasks.build_export", ignore_result=True, acks_late=True)
def build_export_task(export_id: int) -> None:
    run_export(export_id=export_id)


@shared_task(name="motcua.reports.tasks.delete_old_exports", ignore_result=True)
def delete_old_exports_task() -> None:
    delete_old_exports()
