from django.apps import AppConfig


class NationalPortalSandboxConfig(AppConfig):
    """The national portal's sandbox: its authenticated JSON API under /sandbox/dvcqg/."""

    name = "motcua.nationalportal.contrib.sandbox"
    label = "nationalportal_sandbox"
    verbose_name = "Cổng Dịch vụ công quốc gia thử nghiệm (sandbox)"
