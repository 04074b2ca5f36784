from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Statistics and reports (issue 14): the facts kept per dossier, the Decision 766
    indicators and the period table (form II.06a), computed from those facts."""

    name = "motcua.reports"
    label = "reports"
    verbose_name = "Báo cáo, thống kê"

    def ready(self):
        from motcua.reports import (
            panels_public,  # noqa: F401 - the procedure page's link
            subscribers,  # noqa: F401 - registers the outbox subscribers
        )
