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

        # The outbox subscribers (facts; scores and petitions: decision 0061), the
        # workspace's link and the procedure page's link.
        from motcua.reports import (  # noqa: F401
            panels,
            panels_public,
            scoring_subscribers,
            subscribers,
        )
        from motcua.reports.facts import forget_agency_paths

        post_save.connect(forget_agency_paths, sender=Agency, dispatch_uid="reports-agency-saved")
        post_delete.connect(
            forget_agency_paths, sender=Agency, dispatch_uid="reports-agency-deleted"
        )
