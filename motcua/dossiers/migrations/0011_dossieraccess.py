import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """DossierAccess moves from workflow to dossiers: the state only, the table stays."""

    dependencies = [
        ("accounts", "0002_user_agency_unit_membership_unit_unit_code_unique_and_more"),
        ("dossiers", "0010_all_tab_due_order_index"),
        ("workflow", "0002_comment_append_only"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DossierAccess",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "dossier",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="dossiers.dossier",
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.unit",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "workflow_dossieraccess",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("unit", "dossier"), name="dossier_access_unique"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
