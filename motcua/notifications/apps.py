from django.apps import AppConfig
from django.conf import settings


class NotificationsConfig(AppConfig):
    name = "motcua.notifications"
    label = "notifications"
    verbose_name = "Thông báo"

    def ready(self):
        from motcua.notifications import (  # noqa: F401 - registers them, once apps are loaded
            panels,
            retention,
            subscribers,
        )
        from motcua.notifications.channels import channels

        channels.load(settings.NOTIFICATION_CHANNEL_PLUGINS)
