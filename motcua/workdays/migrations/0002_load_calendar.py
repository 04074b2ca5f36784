"""Load the shipped calendar, 2025-2027 (data/holidays.json)."""

from django.db import migrations

from motcua.workdays.calendar_file import read_calendar_file, upsert_calendar_days


def load(apps, schema_editor):
    upsert_calendar_days(apps.get_model("workdays", "CalendarDay"), read_calendar_file())


def unload(apps, schema_editor):
    dates = [row.date for row in read_calendar_file()]
    apps.get_model("workdays", "CalendarDay").objects.filter(date__in=dates).delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
