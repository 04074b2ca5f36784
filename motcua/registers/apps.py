from django.apps import AppConfig
from django.conf import settings
from django.core import checks


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
        checks.register(check_registers)


def check_registers(app_configs=None, **kwargs):
    """Each register switched on (settings.REGISTERS) is registered and has what it needs."""
    from motcua.registers.registry import registry

    errors = []
    for register_id in settings.REGISTERS:
        connector = registry.get(register_id)
        if connector is None:
            errors.append(
                checks.Error(
                    f"Register {register_id!r} is not registered; add its module to "
                    "REGISTERS_PLUGINS.",
                    id="registers.E001",
                )
            )
            continue
        for problem in connector.config_problems():
            errors.append(checks.Error(f"{register_id}: {problem}", id="registers.E002"))
    return errors
