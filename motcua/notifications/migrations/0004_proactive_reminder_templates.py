"""The shipped wording of the kinds added since 0002 (proactive_reminder, issue 17) in
installations that loaded version 1 of the others already; never over existing versions."""

from django.db import migrations


def load(apps, schema_editor):
    from motcua.notifications.loading import load_defaults

    load_defaults(apps.get_model("notifications", "NotificationTemplate"))


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_officer_digest")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
