from django.apps import AppConfig


class VNeIDSandboxConfig(AppConfig):
    """The VNeID identity provider's sandbox: OpenID Connect under /sandbox/vneid/."""

    name = "motcua.accounts.contrib.vneid_sandbox"
    label = "vneid_sandbox"
    verbose_name = "VNeID thử nghiệm (sandbox)"
