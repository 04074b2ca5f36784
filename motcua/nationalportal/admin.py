from django.contrib import admin

from motcua.core.admin import ReadOnlyAdmin
from motcua.nationalportal.models import PortalPush, PortalSync


@admin.register(PortalSync)
class PortalSyncAdmin(ReadOnlyAdmin):
    """Where each dossier stands with the national portal (read only: the desk retries on
    the dossier's page, an administrator on /officer/national-portal/)."""

    list_display = ("dossier", "agency", "state", "last_status_sent", "synced_at", "attempts")
    list_filter = ("state", "agency")
    search_fields = ("dossier__code",)


@admin.register(PortalPush)
class PortalPushAdmin(ReadOnlyAdmin):
    list_display = ("id", "dossier", "status", "state", "attempts", "sent_at", "reference")
    list_filter = ("state", "status")
    search_fields = ("dossier__code", "message_id", "reference")
