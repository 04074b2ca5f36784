from functools import partial

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "motcua.api"
    label = "api"
    verbose_name = _("API cho hệ thống kết nối")

    def ready(self):
        # Outbox subscribers (webhooks, liên thông), Celery tasks, the officer pages' panels,
        # the purger of hand-over results.
        from motcua.api import (  # noqa: F401
            handovers,
            idempotency,
            panels,
            retention,
            views_handovers,
            webhooks,
        )
        from motcua.core.outbox import sweeper

        # Without a broker (no beat) a delivery whose try failed is retried after requests,
        # a few at a time (the request's thread waits for them), not only after a later event.
        sweeper("webhooks", partial(webhooks.deliver_due, limit=20))
