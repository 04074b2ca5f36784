from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from motcua.accounts.models import (
    Authorisation,
    ExternalIdentity,
    Membership,
    OrganisationMember,
    Unit,
    User,
)


class ExternalIdentityInline(admin.TabularInline):
    """The account's VNeID link (docs/identity.md): shown, and deleted to unlink; never typed."""

    model = ExternalIdentity
    extra = 0
    max_num = 0
    fields = readonly_fields = ["provider", "subject", "assurance", "linked_at", "last_sign_in_at"]
    can_delete = True


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [ExternalIdentityInline]
    ordering = ["-date_joined"]
    list_display = ["display_name", "email", "phone", "kind", "is_active", "date_joined"]
    list_filter = ["kind", "is_active", "is_staff"]
    search_fields = ["email", "phone", "full_name", "organisation_name", "citizen_id", "tax_code"]
    fieldsets = [
        (None, {"fields": ["email", "phone", "password", "kind"]}),
        (
            "Hồ sơ",
            {
                "fields": [
                    "full_name",
                    "citizen_id",
                    "date_of_birth",
                    "address",
                    "organisation_name",
                    "tax_code",
                    "representative",
                    "agency",
                ]
            },
        ),
        (
            "Quyền",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Thời điểm", {"fields": ["email_verified_at", "last_login", "date_joined"]}),
        (
            "Định danh điện tử",
            {"fields": ["identity_provider", "identity_assurance", "identity_verified_at"]},
        ),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "phone", "full_name", "kind", "password1", "password2"]})
    ]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    """Units of an agency (Bộ phận Một cửa, phòng chuyên môn, lãnh đạo) and who works in them."""

    list_display = ["name", "code", "kind", "agency", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["agency"]
    search_fields = ["name", "code", "agency__name", "agency__identifier"]
    autocomplete_fields = ["agency"]
    inlines = [MembershipInline]


class _GrantAdmin(admin.ModelAdmin):
    """Read only: grants change through their pages, which check who may and audit it."""

    search_fields = ["citizen_id", "full_name"]
    list_filter = ["ended_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrganisationMember)
class OrganisationMemberAdmin(_GrantAdmin):
    list_display = ["full_name", "citizen_id", "organisation", "role", "valid_until", "ended_at"]
    list_select_related = ["organisation"]


@admin.register(Authorisation)
class AuthorisationAdmin(_GrantAdmin):
    list_display = ["full_name", "citizen_id", "principal", "valid_until", "ended_at"]
    list_select_related = ["principal"]
