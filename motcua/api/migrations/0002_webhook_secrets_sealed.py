"""Webhook secrets stored encrypted (decision 0070); a delivery's give-up time."""

from django.db import migrations, models

import motcua.api.models


def seal_existing(apps, schema_editor):
    WebhookSecret = apps.get_model("api", "WebhookSecret")
    for row in WebhookSecret.objects.all():
        row.sealed = motcua.api.models.seal_secret(row.secret)
        row.save(update_fields=["sealed"])


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhooksecret",
            name="sealed",
            field=models.CharField(default=motcua.api.models.new_sealed_secret, max_length=300),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="webhooksecret",
            name="secret",
        ),
        migrations.AddField(
            model_name="webhookdelivery",
            name="give_up_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="webhookdelivery",
            index=models.Index(fields=["subscription", "created_at"], name="api_webhook_sub_age"),
        ),
    ]
