from functools import partial

from django.apps import AppConfig
from django.conf import settings


class NotificationsConfig(AppConfig):
    name = "motcua.notifications"
    label = "notifications"
    verbose_name = "Thông báo"

    def ready(self):
        from motcua.core.outbox import sweeper
        from motcua.notifications import (  # noqa: F401 - registers them, once apps are loaded
            panels,
            retention,
            subscribers,
        )
        from motcua.notifications.channels import channels
        from motcua.notifications.services import deliver_due

        channels.load(settings.NOTIFICATION_CHANNEL_PLUGINS)
        # A delivery whose first try failed (an SMS gateway away) is tried again after
        # requests when there is no beat, not only after a later notification.
        sweeper("notifications", partial(deliver_due, limit=20))
