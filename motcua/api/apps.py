from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "motcua.api"
    label = "api"
    verbose_name = _("API cho hệ thống kết nối")

    def ready(self):
        # Their outbox subscribers (webhooks, liên thông) and the officer page's panel.
        from motcua.api import handovers, views_handovers, webhooks  # noqa: F401
