from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "motcua.notifications"
    label = "notifications"
    verbose_name = "Thông báo"

    def ready(self):
        from motcua.notifications import subscribers  # noqa: F401 - registers them, once apps are loaded
