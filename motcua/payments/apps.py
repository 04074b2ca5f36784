from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "motcua.payments"
    verbose_name = _("Phí, lệ phí và thanh toán")

    def ready(self):
        # The registry imports the plugins' models: only once every app is loaded.
        from motcua.payments import registry, retention  # noqa: F401 - retention: its purger

        registry.registry.load(settings.PAYMENT_PLUGINS)
        registry.registry.register_check(
            active_setting="PAYMENT_GATEWAYS",
            plugins_setting="PAYMENT_PLUGINS",
            check_id="payments",
        )
