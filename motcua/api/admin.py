"""Liên thông configuration for operators (decision 0071): the peer installations and the
local agencies whose work is done on one of them. Secrets are named, never stored."""

from django.contrib import admin
from django.db import transaction

from motcua.api import handovers
from motcua.api.models import Handover, Peer, RemoteAgency


@admin.register(Peer)
class PeerAdmin(admin.ModelAdmin):
    list_display = ("name", "base_url", "client_id", "inbound_client", "is_active")
    list_filter = ("is_active",)
    raw_id_fields = ("inbound_client",)


@admin.register(RemoteAgency)
class RemoteAgencyAdmin(admin.ModelAdmin):
    list_display = ("agency", "peer", "remote_identifier", "service_account")
    raw_id_fields = ("agency",)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            handovers.service_account(obj)


@admin.register(Handover)
class HandoverAdmin(admin.ModelAdmin):
    list_display = ("task", "remote_agency", "state", "remote_code", "sent_at")
    list_filter = ("state",)
    readonly_fields = [f.name for f in Handover._meta.fields]

    def has_add_permission(self, request):
        return False
