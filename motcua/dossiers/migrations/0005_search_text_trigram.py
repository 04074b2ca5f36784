from django.db import migrations

from motcua.core.pg import run_on_postgresql


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0004_dossier_workflow_dossierevent_data_and_more"),
        ("core", "0002_postgresql_functions"),
    ]

    operations = [
        # Officers search by name, ID number, phone or plate: a trigram index on the folded text.
        run_on_postgresql(
            "CREATE INDEX IF NOT EXISTS dossier_search_trgm ON dossiers_dossier "
            "USING gin (search_text gin_trgm_ops) WHERE search_text <> '';",
            "DROP INDEX IF EXISTS dossier_search_trgm;",
        ),
    ]
