from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "motcua.results"
    verbose_name = _("Kết quả điện tử và xác thực")

    def ready(self):
        from motcua.results import (  # noqa: F401 - registers a panel, a purger, subscribers
            panels,
            retention,
            subscribers,
        )
