from django.apps import AppConfig


class PayGovSandboxConfig(AppConfig):
    """The national payment platform's sandbox (PayGov) under /sandbox/paygov/."""

    name = "motcua.payments.contrib.paygov_sandbox"
    label = "paygov_sandbox"
    verbose_name = "PayGov thử nghiệm (sandbox)"
