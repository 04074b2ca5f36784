from django.db import migrations

from motcua.core.pg import append_only_trigger, run_on_postgresql

TABLES = ("results_resultdocument", "results_verifiabledocument", "results_revocation")


class Migration(migrations.Migration):
    dependencies = [("results", "0001_initial"), ("core", "0002_postgresql_functions")]
    operations = [run_on_postgresql(*append_only_trigger(table)) for table in TABLES]
