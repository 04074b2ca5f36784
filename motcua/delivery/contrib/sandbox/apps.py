from django.apps import AppConfig


class PostalSandboxConfig(AppConfig):
    """MotCua's own post office for the demo and the tests (SANDBOX_ENABLED); never in production."""

    name = "motcua.delivery.contrib.sandbox"
    label = "postal_sandbox"
    verbose_name = "Sandbox: bưu chính"
