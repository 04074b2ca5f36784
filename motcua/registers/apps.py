from django.apps import AppConfig


class RegistersConfig(AppConfig):
    """Once-only (issue 16): connectors to the national population database, the business register
    and the vehicle register, one registry of plugins, and the record of every look-up.
    """

    name = "motcua.registers"
    label = "registers"
    verbose_name = "Cơ sở dữ liệu quốc gia, chuyên ngành"
