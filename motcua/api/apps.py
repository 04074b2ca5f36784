from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "motcua.api"
    label = "api"
    verbose_name = _("API cho hệ thống kết nối")

    def ready(self):
        # Outbox subscribers (webhooks, liên thông), the officer pages' panels, the purger.
        from motcua.api import handovers, panels, retention, views_handovers, webhooks  # noqa: F401
