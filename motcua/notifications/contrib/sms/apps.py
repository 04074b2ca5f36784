from django.apps import AppConfig


class SmsConfig(AppConfig):
    """The SMS channel: a Vietnamese brandname SMS API and its delivery reports."""

    name = "motcua.notifications.contrib.sms"
    label = "sms"
    verbose_name = "Kênh tin nhắn SMS"

    # The channel is registered by NOTIFICATION_CHANNEL_PLUGINS (notifications' ready()).
