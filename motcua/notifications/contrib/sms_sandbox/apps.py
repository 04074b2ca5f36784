from django.apps import AppConfig


class SmsSandboxConfig(AppConfig):
    """MotCua's own SMS gateway for the demo and the tests (SANDBOX_ENABLED); never in production."""

    name = "motcua.notifications.contrib.sms_sandbox"
    label = "sms_sandbox"
    verbose_name = "Sandbox: tin nhắn SMS"
