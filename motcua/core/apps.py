from functools import partial

from django.apps import AppConfig
from django.core.signals import request_finished
from django.db.backends.signals import connection_created


def _register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        from motcua.core.text import fold_or_none  # connections open before apps are loaded

        connection.connection.create_function("motcua_fold", 1, fold_or_none, deterministic=True)


class CoreConfig(AppConfig):
    name = "motcua.core"
    label = "core"

    def ready(self):
        from motcua.core import outbox

        connection_created.connect(_register_sqlite_functions)
        # Without a broker (the embedded default) retries that are due run after requests.
        outbox.sweeper("outbox", partial(outbox.deliver_due, limit=20))
        request_finished.connect(outbox.sweep_after_request, dispatch_uid="motcua.sweep")
