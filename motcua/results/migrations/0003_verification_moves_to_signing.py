from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("results", "0002_append_only"),
    ]

    # The verification registry moved to the signing app with its tables: the state moves,
    # the tables stay (signing.0001 takes them over under the same names).
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="verifiabledocument",
                    name="agency",
                ),
                migrations.RemoveField(
                    model_name="verifiabledocument",
                    name="dossier",
                ),
                migrations.RemoveField(
                    model_name="verifiabledocument",
                    name="issued_document",
                ),
                migrations.RemoveField(
                    model_name="verifiabledocument",
                    name="result",
                ),
                migrations.DeleteModel(
                    name="Revocation",
                ),
                migrations.DeleteModel(
                    name="VerifiableDocument",
                ),
            ],
            database_operations=[],
        ),
    ]
