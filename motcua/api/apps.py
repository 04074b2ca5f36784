from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "motcua.api"
    label = "api"
    verbose_name = _("API cho hệ thống kết nối")

    def ready(self):
        from motcua.api import (  # noqa: F401
            panels,  # its link in the officer menu
            webhooks,  # its outbox subscriber
        )
