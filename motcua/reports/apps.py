from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Statistics and reports (issue 14): the facts kept per dossier, the Decision 766
    indicators and the period table (form II.06a), computed from those facts."""

    name = "motcua.reports"
    label = "reports"
    verbose_name = "Báo cáo, thống kê"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from motcua.catalogue.models import Agency
        from motcua.reports import subscribers  # noqa: F401 - registers the outbox subscribers
        from motcua.reports.facts import forget_agency_paths

        post_save.connect(forget_agency_paths, sender=Agency, dispatch_uid="reports-agency-saved")
        post_delete.connect(
            forget_agency_paths, sender=Agency, dispatch_uid="reports-agency-deleted"
        )
