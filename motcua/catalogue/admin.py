"""Catalogue administration: agencies, sectors, procedure versions and their components.

Validation lives in the models' `clean()` (form schema, processing time, partial reason);
the admin forms turn the JSON lists with a fixed vocabulary into checkboxes and give a
component without a name a plain message.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalogue.models import Agency, Component, Procedure, Sector
from motcua.catalogue.national_import import ImportError_, import_national_catalogue, parse_records
from motcua.catalogue.versions import procedure_new_version
from motcua.core.audit import record_audit
from motcua.core.text import search_terms

DELIVERY_CHOICES = [
    ("online", _("Trực tuyến")),
    ("counter", _("Tại Bộ phận Một cửa")),
    ("post", _("Qua bưu chính")),
]
FILE_TYPE_CHOICES = [
    ("pdf", "PDF"),
    ("jpeg", "JPEG"),
    ("png", "PNG"),
    ("office", _("Word, Excel (office)")),
]


def _gateway_choices():
    # Read on every form: the active gateways are settings.PAYMENT_GATEWAYS.
    return [("", _("Theo cơ quan cấp trên (hoặc cổng mặc định)"))] + [
        (gateway, gateway) for gateway in settings.PAYMENT_GATEWAYS
    ]


def gateway_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Cổng thanh toán trực tuyến"),
        choices=_gateway_choices,
        required=False,
        help_text=_(
            "Cổng người nộp dùng để nộp phí, lệ phí. Để trống: thủ tục theo cơ quan, cơ quan "
            "theo cơ quan cấp trên, rồi cổng mặc định (đầu tiên) của hệ thống."
        ),
    )


class AgencyForm(forms.ModelForm):
    payment_gateway = gateway_field()

    class Meta:
        model = Agency
        fields = [
            "identifier",
            "name",
            "short_name",
            "parent",
            "level",
            "address",
            "phone",
            "email",
            "is_active",
            "payment_gateway",
        ]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    form = AgencyForm
    list_display = ["name", "identifier", "level", "parent", "payment_gateway", "is_active"]
    list_filter = ["level", "is_active"]
    list_select_related = ["parent"]
    search_fields = ["name", "short_name", "identifier"]
    autocomplete_fields = ["parent"]
    ordering = ["identifier"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "name_en", "order"]
    list_editable = ["order"]
    search_fields = ["name", "code"]


class ComponentForm(forms.ModelForm):
    accepted_types = forms.MultipleChoiceField(
        label=_("Định dạng tệp chấp nhận"),
        choices=FILE_TYPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Để trống: PDF, JPEG, PNG."),
    )

    class Meta:
        model = Component
        fields = [
            "order",
            "name",
            "paper_form",
            "quantity",
            "requirement",
            "condition",
            "condition_field",
            "accepted_types",
            "max_files",
            "national_source",
            "obtained_from",
            "key_field",
            "reusable_results",
            "description",
        ]
        error_messages = {"name": {"required": _("Thành phần hồ sơ phải có tên.")}}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "reusable_results": forms.TextInput(attrs={"size": 40}),
        }

    def clean_reusable_results(self):
        # An emptied box means "none", not SQL NULL.
        value = self.cleaned_data.get("reusable_results")
        return [] if value in (None, "") else value


class ComponentInline(admin.StackedInline):
    model = Component
    form = ComponentForm
    extra = 0
    fields = [
        ("order", "name"),
        ("paper_form", "quantity", "requirement"),
        ("condition", "condition_field"),
        ("accepted_types", "max_files"),
        "national_source",
        ("obtained_from", "key_field"),
        "reusable_results",
        "description",
    ]


def _https_by_default(db_field, **kwargs):
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class ProcedureForm(forms.ModelForm):
    delivery_options = forms.MultipleChoiceField(
        label=_("Hình thức nhận kết quả"),
        choices=DELIVERY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    payment_gateway = gateway_field()

    class Meta:
        model = Procedure
        fields = [
            "code",
            "name",
            "sector",
            "agency",
            "receiving_agency",
            "applicant_type",
            "service_level",
            "partial_reason",
            "delivery_options",
            "processing_time",
            "processing_time_unit",
            "processing_time_note",
            "fee_vnd",
            "fee_note",
            "fee_schedule",
            "payment_gateway",
            "result_name",
            "result_validity",
            "result_group",
            "steps",
            "legal_basis",
            "faq",
            "form_schema",
            "form_ui",
            "effective_from",
            "effective_to",
            "is_published",
            "source_url",
            "notes",
        ]
        formfield_callback = _https_by_default

    def _json_or_empty(self, name: str, empty):
        # An emptied JSON box means "none", not SQL NULL.
        value = self.cleaned_data.get(name)
        return empty if value in (None, "") else value

    def clean_form_schema(self):
        return self._json_or_empty("form_schema", {})

    def clean_form_ui(self):
        return self._json_or_empty("form_ui", {})

    def clean_fee_schedule(self):
        return self._json_or_empty("fee_schedule", {})

    def clean_legal_basis(self):
        return self._json_or_empty("legal_basis", [])

    def clean_faq(self):
        return self._json_or_empty("faq", [])


class NationalImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp xuất từ CSDL quốc gia (JSON)"),
        error_messages={"required": _("Chọn tệp JSON xuất từ CSDL quốc gia.")},
    )
    effective_from = forms.DateField(
        label=_("Phiên bản mới có hiệu lực từ ngày"),
        input_formats=["%d/%m/%Y"],
        help_text=_("dd/mm/yyyy"),
        error_messages={
            "required": _("Nhập ngày hiệu lực."),
            "invalid": _("Nhập ngày theo dạng dd/mm/yyyy, ví dụ 01/07/2026."),
        },
    )
    agency = forms.ModelChoiceField(
        label=_("Cơ quan nhận các thủ tục chưa có"),
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        required=False,
        help_text=_("Để trống: chọn theo cấp và lĩnh vực như khi nạp danh mục."),
    )
    dry_run = forms.BooleanField(label=_("Chạy thử, không ghi gì"), required=False, initial=True)


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    form = ProcedureForm
    change_list_template = "admin/catalogue/procedure/change_list.html"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [ComponentInline]
    list_display = [
        "code",
        "name",
        "sector",
        "agency",
        "service_level",
        "processing_time",
        "is_published",
        "effective_from",
        "effective_to",
    ]
    list_display_links = ["code", "name"]
    list_filter = ["sector", "agency", "service_level", "applicant_type", "is_published"]
    list_select_related = ["sector", "agency"]
    search_fields = ["code", "name"]
    search_help_text = _("Tìm theo mã hoặc tên thủ tục, có dấu hoặc không dấu.")
    autocomplete_fields = ["agency", "receiving_agency"]
    date_hierarchy = "effective_from"
    actions = ["make_new_version"]
    fieldsets = [
        (
            _("Thông tin chung"),
            {
                "fields": [
                    ("code", "name"),
                    "sector",
                    ("agency", "receiving_agency"),
                    "applicant_type",
                ]
            },
        ),
        (
            _("Dịch vụ công trực tuyến"),
            {"fields": ["service_level", "partial_reason", "delivery_options"]},
        ),
        (
            _("Thời hạn, phí và lệ phí"),
            {
                "fields": [
                    ("processing_time", "processing_time_unit"),
                    "processing_time_note",
                    "fee_vnd",
                    "fee_note",
                    "fee_schedule",
                    "payment_gateway",
                ]
            },
        ),
        (
            _("Kết quả"),
            {"fields": ["result_name", "result_validity", "result_group", "retention_years"]},
        ),
        (_("Trình tự, căn cứ pháp lý, câu hỏi"), {"fields": ["steps", "legal_basis", "faq"]}),
        (_("Tờ khai trực tuyến"), {"fields": ["form_schema", "form_ui"]}),
        (
            _("Hiệu lực và nguồn"),
            {
                "fields": [
                    ("effective_from", "effective_to"),
                    "is_published",
                    "source_url",
                    "notes",
                ]
            },
        ),
    ]

    def get_urls(self):
        return [
            path(
                "import-national/",
                self.admin_site.admin_view(self.import_national),
                name="catalogue_procedure_import_national",
            ),
            *super().get_urls(),
        ]

    def import_national(self, request):
        """Upload the national database's export (decision 0081), dry run first."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = NationalImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                records = parse_records(data["file"].read(), label=data["file"].name)
            except ImportError_ as exc:
                form.add_error("file", str(exc))
            else:
                report = import_national_catalogue(
                    records=records,
                    effective_from=data["effective_from"],
                    dry_run=data["dry_run"],
                    agency=data["agency"],
                )
                if not report.dry_run:
                    record_audit(
                        action="catalogue.national_import",
                        actor=request.user,
                        target=data["file"].name[:200],
                        request=request,
                        effective_from=data["effective_from"].isoformat(),
                        created=len(report.created),
                        new_versions=len(report.new_version),
                        skipped=len(report.skipped),
                    )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "report": report,
        }
        return TemplateResponse(
            request,
            "admin/catalogue/procedure/import_national.html",
            context,
            status=400 if form.errors else 200,
        )

    def get_search_results(self, request, queryset, search_term):
        terms = search_terms(search_term)
        if not terms:
            return queryset, False
        return queryset.search(terms), False

    @admin.action(description=_("Tạo phiên bản mới"), permissions=["add"])
    def make_new_version(self, request, queryset):
        today = timezone.localdate()
        created = []
        for procedure in queryset:
            try:
                created.append(procedure_new_version(procedure=procedure, effective_from=today))
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
        for version in created:
            self.message_user(
                request,
                _("Đã tạo phiên bản mới của thủ tục %(code)s, hiệu lực từ ngày %(date)s.")
                % {"code": version.code, "date": today.strftime("%d/%m/%Y")},
                messages.SUCCESS,
            )
        if len(created) == 1:
            return HttpResponseRedirect(
                reverse("admin:catalogue_procedure_change", args=[created[0].pk])
            )
        return None
