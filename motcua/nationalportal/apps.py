from django.apps import AppConfig


class NationalPortalConfig(AppConfig):
    """The national public service portal (issue 16): dossier statuses pushed from the outbox
    through a plugin, with a sync state per dossier.
    """

    name = "motcua.nationalportal"
    label = "nationalportal"
    verbose_name = "Cổng Dịch vụ công quốc gia"
