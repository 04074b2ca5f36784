from django.db import migrations

from motcua.core.pg import FOLD_FUNCTION, append_only_trigger, run_on_postgresql

create, drop = append_only_trigger("core_auditentry")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [
        run_on_postgresql(FOLD_FUNCTION, "DROP FUNCTION IF EXISTS motcua_fold(text);"),
        run_on_postgresql(create, drop),
    ]
