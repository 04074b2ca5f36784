from django.db import connection
from django.db.models import Func, TextField


class Fold(Func):
    """SQL `motcua_fold(expr)`: the database twin of `motcua.core.text.fold`."""

    function = "motcua_fold"
    output_field = TextField()


# For the few reads written in SQL (each app's reads.py): names from the models' _meta.


def table(model) -> str:
    """The model's table, quoted for this database."""
    return connection.ops.quote_name(model._meta.db_table)


def column(model, field: str, alias: str | None = None) -> str:
    """`field`'s column, quoted, named with `alias` or the model's table."""
    name = connection.ops.quote_name(model._meta.get_field(field).column)
    return f"{alias or table(model)}.{name}"


def fetch_dicts(sql: str, params) -> list[dict]:
    """The rows of `sql`, each a dict keyed by the names the SELECT gives its columns."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def in_id_batches(queryset, handle, *, batch_size: int = 1000, stdout=None) -> int:
    """Call `handle(pk)` for every row of `queryset`, in batches of ids read in key order (a
    rebuild over millions of rows never holds them all); returns how many, and writes the
    running count to `stdout` after each batch."""
    done, last = 0, 0
    while True:
        ids = list(
            queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return done
        for pk in ids:
            handle(pk)
        done += len(ids)
        last = ids[-1]
        if stdout is not None:
            stdout.write(f"{done}\n")
