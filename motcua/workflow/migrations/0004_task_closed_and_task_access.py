from django.db import migrations, models
from django.db.models import F


def task_access_ends(apps, schema_editor):
    """Before this, a unit a task was sent to kept the dossier for good. A unit of another
    agency can only have had it through a task (the workflow's steps are units of the
    receiving agency): its access now lasts while a task is open. Tasks of dossiers that
    ended with them open are closed. Units of the same agency keep theirs, as they may have
    had the dossier at a step too."""
    Task = apps.get_model("workflow", "Task")
    Dossier = apps.get_model("dossiers", "Dossier")
    DossierAccess = apps.get_model("dossiers", "DossierAccess")
    ended = Dossier.objects.filter(finished_at__isnull=False)
    Task.objects.filter(state="open", dossier__in=ended).update(state="closed")
    Dossier.objects.filter(finished_at__isnull=False, open_tasks__gt=0).update(open_tasks=0)
    elsewhere = Task.objects.exclude(unit__agency_id=F("dossier__receiving_agency_id"))
    pairs = set(elsewhere.values_list("dossier_id", "unit_id"))
    still_open = set(elsewhere.filter(state="open").values_list("dossier_id", "unit_id"))
    for dossier_id, unit_id in pairs:
        rows = DossierAccess.objects.filter(dossier_id=dossier_id, unit_id=unit_id)
        if (dossier_id, unit_id) in still_open:
            rows.update(through_task=True)
        else:
            rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0003_dossieraccess_to_dossiers"),
        ("dossiers", "0013_access_through_task"),
    ]

    operations = [
        migrations.AlterField(
            model_name="task",
            name="state",
            field=models.CharField(
                choices=[
                    ("open", "Đang chờ"),
                    ("answered", "Đã trả lời"),
                    ("closed", "Đã đóng, không cần trả lời"),
                ],
                default="open",
                max_length=10,
            ),
        ),
        migrations.RunPython(task_access_ends, migrations.RunPython.noop),
    ]
