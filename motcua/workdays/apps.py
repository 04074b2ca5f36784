from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class WorkdaysConfig(AppConfig):
    name = "motcua.workdays"
    label = "workdays"
    verbose_name = "Lịch làm việc"

    def ready(self):
        # Models and services import only once every app is loaded (Django's app registry).
        from motcua.workdays import services
        from motcua.workdays.models import CalendarDay

        # A malformed WORKDAY_* setting stops the start-up, like every other setting.
        services.office_hours()
        post_save.connect(
            services.on_calendar_changed, sender=CalendarDay, dispatch_uid="workdays-saved"
        )
        post_delete.connect(
            services.on_calendar_changed, sender=CalendarDay, dispatch_uid="workdays-deleted"
        )
