from django.db.models import Func, TextField


class Fold(Func):
    """SQL `motcua_fold(expr)`: the database twin of `motcua.core.text.fold`."""

    function = "motcua_fold"
    output_field = TextField()
