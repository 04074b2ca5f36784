from django.apps import AppConfig


class RegisterSandboxConfig(AppConfig):
    """The sandboxes of the population database, the business register and the vehicle register,
    speaking their protocols under /sandbox/registers/.
    """

    name = "motcua.registers.contrib.sandbox"
    label = "register_sandbox"
    verbose_name = "Cơ sở dữ liệu quốc gia thử nghiệm (sandbox)"
