from django.db import connection
from django.db.models import Func, TextField


class Fold(Func):
    """SQL `motcua_fold(expr)`: the database twin of `motcua.core.text.fold`."""

    function = "motcua_fold"
    output_field = TextField()


class RowReader:
    """Model instances from a hand-written SELECT, with the values converted as the ORM would.

    For hot reads where Django spent more time building the query than the database spent
    running it: `columns(alias)` is the model's select list, `read(row, start)` the instance
    made of row[start:] (None when a LEFT JOIN found nothing) and the index after it.
    """

    def __init__(self, model):
        self.model = model
        self.fields = model._meta.concrete_fields
        self.attnames = [f.attname for f in self.fields]
        self._pk = self.attnames.index(model._meta.pk.attname)
        self._converters = {}

    def columns(self, alias: str) -> str:
        q = connection.ops.quote_name
        return ", ".join(f"{alias}.{q(f.column)}" for f in self.fields)

    def _converters_for(self, conn) -> list[tuple[int, list, object]]:
        # What SQLCompiler.get_converters gives for each column: the backend's, then the
        # field's (from_db_value), worked out once per database.
        found = self._converters.get(conn.alias)
        if found is None:
            found = []
            for i, field in enumerate(self.fields):
                col = field.get_col(self.model._meta.db_table)
                funcs = conn.ops.get_db_converters(col) + col.get_db_converters(conn)
                if funcs:
                    found.append((i, funcs, col))
            self._converters[conn.alias] = found
        return found

    def read(self, row, start: int = 0):
        end = start + len(self.fields)
        values = list(row[start:end])
        if values[self._pk] is None:  # nothing joined
            return None, end
        for i, funcs, col in self._converters_for(connection):
            for func in funcs:
                values[i] = func(values[i], col, connection)
        return self.model.from_db(connection.alias, self.attnames, values), end
