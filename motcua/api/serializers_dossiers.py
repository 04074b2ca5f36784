"""What the dossier endpoints take and give (decision 0069): input checked here, output
rendered from the objects the services return. Dates are ISO 8601 in Vietnam's time."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from motcua.accounts.validators import (
    normalise_phone,
    validate_citizen_id,
    validate_phone,
    validate_tax_code,
)
from motcua.api.schema import ProblemSerializer
from motcua.dossiers.models import Dossier, Status
from motcua.signing.services import verify_url
from motcua.workflow.services import WalkInApplicant


def _django(validator):
    """A Django validator as a DRF one (its message becomes the field's error)."""

    def check(value):
        try:
            validator(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    return check


# --- Problems (documentation of the error bodies) -------------------------------------------


# --- Input ----------------------------------------------------------------------------------


class ApplicantInput(serializers.Serializer):
    full_name = serializers.CharField(max_length=200, help_text=_("Họ và tên người nộp."))
    citizen_id = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        validators=[_django(validate_citizen_id)],
        help_text=_("Số định danh cá nhân, 12 chữ số; có thể bỏ trống khi nộp cho tổ chức."),
    )
    organisation_name = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text=_("Tên tổ chức, doanh nghiệp.")
    )
    tax_code = serializers.CharField(
        max_length=14,
        required=False,
        allow_blank=True,
        validators=[_django(validate_tax_code)],
        help_text=_("Mã số thuế của tổ chức."),
    )
    phone = serializers.CharField(
        max_length=20,
        validators=[_django(validate_phone)],
        help_text=_("Số điện thoại di động, ví dụ 0912345678."),
    )
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)

    def validate_full_name(self, value):
        value = " ".join(value.split())
        if len(value) < 2:
            raise serializers.ValidationError(_("Nhập họ và tên người nộp."))
        return value

    def validate_phone(self, value):
        return normalise_phone(value)

    def validate(self, data):
        organisation = (data.get("organisation_name") or "").strip()
        if organisation and not data.get("tax_code"):
            raise serializers.ValidationError(
                {"tax_code": [_("Nhập mã số thuế của tổ chức, doanh nghiệp.")]}
            )
        if not data.get("citizen_id") and not (organisation and data.get("tax_code")):
            raise serializers.ValidationError(
                {"citizen_id": [_("Nhập số định danh cá nhân của người nộp.")]}
            )
        return data


class DossierCreateInput(serializers.Serializer):
    procedure = serializers.CharField(max_length=40, help_text=_("Mã thủ tục."))
    applicant = ApplicantInput()
    form_data = serializers.DictField(
        required=False, help_text=_("Tờ khai theo lược đồ của thủ tục.")
    )
    delivery_method = serializers.ChoiceField(
        choices=Dossier.Delivery.choices, required=False, allow_blank=True
    )
    postal_address = serializers.CharField(max_length=300, required=False, allow_blank=True)


class AttachmentInput(serializers.Serializer):
    component = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text=_("Mã thành phần hồ sơ.")
    )
    file = serializers.FileField(max_length=200, allow_empty_file=True)


class DossierFilter(serializers.Serializer):
    code = serializers.CharField(max_length=48, required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    submitted_from = serializers.DateField(required=False)
    submitted_to = serializers.DateField(required=False)


def person_of(data: dict) -> WalkInApplicant:
    """The applicant of a valid ApplicantInput."""
    return WalkInApplicant(
        full_name=data["full_name"],
        citizen_id=data.get("citizen_id", ""),
        phone=data["phone"],
        email=data.get("email", ""),
        address=data.get("address", ""),
        organisation_name=(data.get("organisation_name") or "").strip(),
        tax_code=data.get("tax_code", ""),
    )


# --- Output ---------------------------------------------------------------------------------


class StatusOutput(serializers.Serializer):
    code = serializers.IntegerField()
    label = serializers.CharField()


class ComponentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ReadinessOutput(serializers.Serializer):
    ready = serializers.BooleanField()
    form_errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    missing_components = ComponentOutput(many=True)
    delivery_missing = serializers.BooleanField()


class IncompleteProblem(ProblemSerializer):
    readiness = ReadinessOutput()


class ProcedureOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ApplicantOutput(serializers.Serializer):
    name = serializers.CharField()
    id_number = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()


class StepOutput(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    unit_name = serializers.CharField()


class FeesOutput(serializers.Serializer):
    due = serializers.IntegerField(help_text=_("Số tiền (đồng) còn phải nộp."))
    paid = serializers.IntegerField(help_text=_("Số tiền (đồng) đã nộp."))


class DossierListItem(serializers.Serializer):
    uuid = serializers.UUIDField()
    code = serializers.CharField(allow_null=True)
    status = StatusOutput()
    procedure_code = serializers.CharField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()


class DossierOutput(serializers.Serializer):
    uuid = serializers.UUIDField()
    code = serializers.CharField(allow_null=True)
    status = StatusOutput()
    channel = serializers.CharField()
    procedure = ProcedureOutput()
    receiving_agency = serializers.CharField()
    applicant = ApplicantOutput()
    delivery_method = serializers.CharField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True, help_text=_("Ngày hẹn trả kết quả."))
    finished_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    current_step = StepOutput(allow_null=True)
    fees = FeesOutput()
    readiness = ReadinessOutput(allow_null=True, help_text=_("Chỉ có khi hồ sơ là bản nháp."))


class AttachmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    component = serializers.IntegerField(source="component_id")
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class TimelineEventOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    label = serializers.CharField()
    note = serializers.CharField(source="shown_note")
    unit_name = serializers.CharField()
    status = serializers.SerializerMethodField()

    @extend_schema_field(StatusOutput(allow_null=True))
    def get_status(self, event):
        return status_of(event.to_status) if event.to_status is not None else None


class DocumentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    number = serializers.CharField()
    issued_at = serializers.DateTimeField()
    sha256 = serializers.CharField()
    verify_url = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_verify_url(self, document):
        verifiable = getattr(document, "verifiable", None)
        return verify_url(verifiable.token) if verifiable is not None else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_file_url(self, document):
        path = reverse("api-dossier-document-file", args=[document.dossier.uuid, document.pk])
        return self.context["request"].build_absolute_uri(path)


class ResultOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    number = serializers.CharField()
    issued_at = serializers.DateTimeField()
    signer = serializers.CharField()
    sha256 = serializers.CharField()
    verification_code = serializers.CharField(allow_null=True)
    verify_url = serializers.URLField(allow_null=True)
    revoked = serializers.BooleanField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    file_url = serializers.URLField()


def status_of(code: int) -> dict:
    try:
        label = str(Status(code).label)
    except ValueError:
        label = str(code)
    return {"code": int(code), "label": label}
