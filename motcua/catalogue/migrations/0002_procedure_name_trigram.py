from django.db import migrations

from motcua.core.pg import run_on_postgresql


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial"), ("core", "0002_postgresql_functions")]
    operations = [
        run_on_postgresql(
            "CREATE INDEX IF NOT EXISTS procedure_name_fold_trgm ON catalogue_procedure "
            "USING gin (motcua_fold(name) gin_trgm_ops);",
            "DROP INDEX IF EXISTS procedure_name_fold_trgm;",
        )
    ]
