from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Statistics and reports (issue 14): the facts kept per dossier, the Decision 766
    indicators and the period table (form II.06a), computed from those facts."""

    name = "motcua.reports"
    label = "reports"
    verbose_name = "Báo cáo, thống kê"

    def ready(self):
        # The outbox subscribers (facts; scores and petitions: decision 0061), the
        # workspace's link and the procedure page's link.
        from motcua.reports import (  # noqa: F401
            panels,
            panels_public,
            scoring_subscribers,
            subscribers,
        )
