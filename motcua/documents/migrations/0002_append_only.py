from django.db import migrations

from motcua.core.pg import append_only_trigger, run_on_postgresql

documents_create, documents_drop = append_only_trigger("documents_issueddocument")
book_create, book_drop = append_only_trigger("documents_trackingbookentry")


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial"), ("core", "0002_postgresql_functions")]
    operations = [
        run_on_postgresql(documents_create, documents_drop),
        run_on_postgresql(book_create, book_drop),
    ]
