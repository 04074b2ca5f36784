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
