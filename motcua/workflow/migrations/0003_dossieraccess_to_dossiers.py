from django.db import migrations


class Migration(migrations.Migration):
    """DossierAccess moved to dossiers (dossiers 0011): the state only, the table stays."""

    dependencies = [
        ("workflow", "0002_comment_append_only"),
        ("dossiers", "0011_dossieraccess"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DossierAccess")],
            database_operations=[],
        ),
    ]
