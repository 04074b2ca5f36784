from django.apps import AppConfig


class SmsConfig(AppConfig):
    """The SMS channel: a Vietnamese brandname SMS API and its delivery reports."""

    name = "motcua.notifications.contrib.sms"
    label = "sms"
    verbose_name = "Kênh tin nhắn SMS"

    def ready(self):
        from motcua.notifications.contrib.sms import plugin  # noqa: F401 - registers the channel
