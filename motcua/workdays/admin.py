"""Administration of the working-day calendar, maintained per year by the administrator."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.workdays.models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "kind", "name", "is_verified"]
    list_filter = ["kind", "is_verified"]
    date_hierarchy = "date"
    search_fields = ["name", "legal_basis"]
    ordering = ["date"]
    fields = ["date", "kind", "name", "legal_basis", "is_verified"]

    @admin.display(description=_("thứ"), ordering="date")
    def weekday(self, obj: CalendarDay) -> str:
        return obj.weekday_name
