from django.db import migrations

from motcua.core.pg import append_only_trigger, run_on_postgresql

create, drop = append_only_trigger("payments_gatewaymessage")


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial"), ("core", "0002_postgresql_functions")]
    operations = [run_on_postgresql(create, drop)]
