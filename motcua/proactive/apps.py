from django.apps import AppConfig


class ProactiveConfig(AppConfig):
    """Proactive public services (issue 17, Decree 224/2026 arts. 16-17): MotCua reminds a
    person of what falls due from its own data (level 1), prepares the dossier (level 2) and
    recommends among procedures leading to the same result (level 3).

    On the workflow's step: above the results it reads, below notifications and reports,
    which subscribe to its events and count what it did.
    """

    name = "motcua.proactive"
    label = "proactive"
    verbose_name = "Dịch vụ công trực tuyến chủ động"

    def ready(self):
        from motcua.proactive import (  # noqa: F401 - registers them
            panels,
            subscribers,
            subscribers_items,
        )
