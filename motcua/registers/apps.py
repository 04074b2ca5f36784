from django.apps import AppConfig
from django.conf import settings


class RegistersConfig(AppConfig):
    """Once-only (issue 16): connectors to the national population database, the business register
    and the vehicle register, one registry of plugins, and the record of every look-up.
    """

    name = "motcua.registers"
    label = "registers"
    verbose_name = "Cơ sở dữ liệu quốc gia, chuyên ngành"

    def ready(self):
        from motcua.registers import registry, retention  # noqa: F401 - retention: its purger

        registry.registry.load(settings.REGISTERS_PLUGINS)
        registry.registry.register_check(
            active_setting="REGISTERS", plugins_setting="REGISTERS_PLUGINS", check_id="registers"
        )
