from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "motcua.payments"
    verbose_name = _("Phí, lệ phí và thanh toán")

    def ready(self):
        # The registry imports the plugins' models: only once every app is loaded.
        from motcua.payments import registry, retention  # noqa: F401 - retention: its purger

        registry.registry.load(settings.PAYMENT_PLUGINS)
        checks.register(check_gateways)


def check_gateways(app_configs=None, **kwargs):
    """Each active gateway is registered and has what it needs (settings.PAYMENT_GATEWAYS)."""
    from motcua.payments.registry import registry  # as in ready(): after the app registry

    errors = []
    for gateway_id in settings.PAYMENT_GATEWAYS:
        plugin = registry.get(gateway_id)
        if plugin is None:
            errors.append(
                checks.Error(
                    f"Payment gateway {gateway_id!r} is not registered; add its module to "
                    "PAYMENT_PLUGINS.",
                    id="payments.E001",
                )
            )
            continue
        for problem in plugin.config_problems():
            errors.append(checks.Error(f"{gateway_id}: {problem}", id="payments.E002"))
    return errors
