from django.db import migrations

from motcua.core.pg import append_only_trigger, run_on_postgresql

create, drop = append_only_trigger("feedback_petitionevent")


class Migration(migrations.Migration):
    dependencies = [("feedback", "0002_petitions"), ("core", "0002_postgresql_functions")]
    operations = [run_on_postgresql(create, drop)]
