import json

from django.db import migrations, models


def measure_drafts(apps, schema_editor):
    """Existing drafts count against their account's form quota from the start."""
    Dossier = apps.get_model("dossiers", "Dossier")
    drafts = Dossier.objects.filter(status=0).only("id", "form_data")
    for dossier in drafts.iterator(chunk_size=500):
        size = len(
            json.dumps(dossier.form_data, ensure_ascii=False, separators=(",", ":")).encode()
        )
        Dossier.objects.filter(pk=dossier.pk).update(form_bytes=size)


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0013_access_through_task"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="expiry_reminded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="dossier",
            name="form_bytes",
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("status", 0)),
                fields=["updated_at"],
                name="dossier_draft_updated",
            ),
        ),
        migrations.RunPython(measure_drafts, migrations.RunPython.noop, elidable=True),
    ]
