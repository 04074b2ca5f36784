from django.db import migrations

from motcua.core.pg import run_on_postgresql


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0006_inbox_index")]

    operations = [
        # Unit, role and status are strongly correlated (a specialist unit holds dossiers in
        # status 4 with role "specialist"); without these statistics PostgreSQL estimates one
        # row per queue and sorts the whole queue instead of reading dossier_inbox_due in order.
        run_on_postgresql(
            "CREATE STATISTICS IF NOT EXISTS dossier_queue_stats (dependencies, mcv) "
            "ON current_unit_id, current_role, status FROM dossiers_dossier;",
            "DROP STATISTICS IF EXISTS dossier_queue_stats;",
        ),
    ]
