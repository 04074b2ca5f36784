"""Payments in the Django admin (superusers): read the records, resolve differences."""

from django.contrib import admin
from django.utils import timezone

from motcua.core.admin import ReadOnlyAdmin
from motcua.payments.models import (
    Charge,
    GatewayMessage,
    Payment,
    PaymentIssue,
    Receipt,
    ReconciliationRun,
    Refund,
)


@admin.register(Charge)
class ChargeAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "amount", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["dossier"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["reference", "dossier", "amount", "method", "gateway", "status", "created_at"]
    list_filter = ["status", "method", "gateway"]
    search_fields = ["reference", "gateway_transaction_no", "dossier__code"]
    list_select_related = ["dossier"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["number", "year", "agency", "issued_at", "sha256"]
    list_select_related = ["agency"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["payment", "amount", "status", "created_at", "completed_at"]
    list_filter = ["status"]
    list_select_related = ["payment"]


@admin.register(GatewayMessage)
class GatewayMessageAdmin(ReadOnlyAdmin):
    list_display = ["at", "gateway", "kind", "reference", "verdict", "response_code"]
    list_filter = ["gateway", "kind", "verdict"]
    search_fields = ["reference"]


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    list_display = ["day", "gateway", "gateway_count", "our_count", "mismatches", "ran_at"]


@admin.register(PaymentIssue)
class PaymentIssueAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "gateway", "reference", "day", "agency", "resolved_at"]
    list_filter = ["kind", "resolved_at"]
    search_fields = ["reference"]
    list_select_related = ["agency"]
    fields = ["kind", "gateway", "reference", "day", "payment", "agency", "details", "resolution"]
    readonly_fields = ["kind", "gateway", "reference", "day", "payment", "agency", "details"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        if obj.resolution and obj.resolved_at is None:
            obj.resolved_at, obj.resolved_by = timezone.now(), request.user
        super().save_model(request, obj, form, change)
