from functools import partial

from django.apps import AppConfig
from django.conf import settings


class NationalPortalConfig(AppConfig):
    """The national public service portal (issue 16): dossier statuses pushed from the outbox
    through a plugin, with a sync state per dossier.
    """

    name = "motcua.nationalportal"
    label = "nationalportal"
    verbose_name = "Cổng Dịch vụ công quốc gia"

    def ready(self):
        from motcua.core.outbox import sweeper
        from motcua.nationalportal import (  # noqa: F401 - registers them, once apps are loaded
            panels,
            services,
        )
        from motcua.nationalportal.registry import registry

        registry.load(settings.NATIONAL_PORTAL_PLUGINS)
        registry.register_check(
            active_setting="NATIONAL_PORTAL",
            plugins_setting="NATIONAL_PORTAL_PLUGINS",
            check_id="nationalportal",
        )
        # Without a broker (no beat) a push whose try failed is retried after requests, a few
        # dossiers at a time, not only after the next status change.
        sweeper("nationalportal", partial(services.deliver_due, limit=services.SWEEP_LIMIT))
