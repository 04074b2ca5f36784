"""The Vietnamese and English wording of every kind, as version 1 (a fresh install has them;
manage.py load_notification_templates adds those of kinds added later)."""

from django.db import migrations


def load(apps, schema_editor):
    from motcua.notifications.loading import load_defaults

    load_defaults(apps.get_model("notifications", "NotificationTemplate"))


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_notifications_deliveries_templates")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
