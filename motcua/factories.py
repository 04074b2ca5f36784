"""factory_boy factories shared by the tests of every app."""

from dataclasses import dataclass

import factory
from django.utils import timezone

from motcua.accounts.models import Membership, Role, Unit, User
from motcua.accounts.testing import officer_device
from motcua.catalogue.models import Agency, Component, Procedure, Sector
from motcua.dossiers import intake
from motcua.dossiers.models import Dossier
from motcua.workflow.models import Workflow
from motcua.workflow.services import save_workflow_version

SIMPLE_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["applicant", "vehicles"],
    "properties": {
        "applicant": {
            "type": "object",
            "title": "Người nộp",
            "required": ["full_name", "phone"],
            "properties": {
                "full_name": {
                    "type": "string",
                    "title": "Họ và tên",
                    "minLength": 2,
                    "maxLength": 200,
                },
                "phone": {"type": "string", "title": "Số điện thoại", "pattern": "^0\\d{9}$"},
                "birth_date": {"type": "string", "format": "date", "title": "Ngày sinh"},
            },
        },
        "vehicles": {
            "type": "array",
            "title": "Danh sách xe",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["plate", "seats", "ownership"],
                "properties": {
                    "plate": {
                        "type": "string",
                        "title": "Biển số",
                        "pattern": "^\\d{2}[A-Z]{1,2}-\\d{3}\\.\\d{2}$",
                    },
                    "seats": {"type": "integer", "title": "Số chỗ", "minimum": 1, "maximum": 80},
                    "ownership": {
                        "type": "string",
                        "title": "Quyền sử dụng",
                        "enum": ["owned", "leased"],
                    },
                    "contract_no": {"type": "string", "title": "Số hợp đồng thuê"},
                },
                "if": {"properties": {"ownership": {"const": "leased"}}},
                "then": {"required": ["contract_no"]},
            },
        },
    },
}
SIMPLE_UI = {
    "fields": {
        "applicant.full_name": {"prefill": "full_name"},
        "applicant.phone": {"prefill": "phone", "widget": "tel"},
        "vehicles": {"item_label": "Xe", "add_label": "Thêm xe"},
        "vehicles.*.plate": {"errors": {"pattern": "Nhập biển số xe theo dạng 51A-123.45"}},
        "vehicles.*.contract_no": {"show_if": {"field": "ownership", "in": ["leased"]}},
    }
}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.vn")
    phone = factory.Sequence(lambda n: f"09{n:08d}")
    full_name = "Nguyễn Văn An"
    kind = User.Kind.CITIZEN
    citizen_id = "001090012345"
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", "Mat-khau-an-toan-2026")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    identifier = factory.Sequence(lambda n: f"000.00.{n % 100:02d}.H{n:02d}")
    name = factory.Sequence(lambda n: f"Sở Xây dựng số {n}")
    level = Agency.Level.PROVINCE


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector

    code = factory.Sequence(lambda n: f"sector-{n}")
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    code = factory.Sequence(lambda n: f"9.{n:06d}")
    name = "Cấp phù hiệu xe ô tô kinh doanh vận tải"
    sector = factory.SubFactory(SectorFactory)
    agency = factory.SubFactory(AgencyFactory)
    receiving_agency = factory.SelfAttribute("agency")
    service_level = Procedure.ServiceLevel.FULL
    processing_time = 2
    fee_vnd = 0
    delivery_options = ["online", "counter", "post"]
    form_schema = factory.LazyFunction(lambda: SIMPLE_SCHEMA)
    form_ui = factory.LazyFunction(lambda: SIMPLE_UI)
    effective_from = factory.LazyFunction(lambda: timezone.localdate().replace(year=2025))


class ComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Component

    procedure = factory.SubFactory(ProcedureFactory)
    name = "Giấy đăng ký xe ô tô"
    paper_form = Component.PaperForm.COPY
    requirement = Component.Requirement.REQUIRED
    accepted_types = ["pdf", "jpeg", "png"]
    order = factory.Sequence(int)


# Smallest valid files of each type, for upload tests.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15"
    b"\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND"
    b"\xaeB`\x82"
)


# --- Back office -------------------------------------------------------------------------

STANDARD_WORKFLOW = {
    "steps": [
        {
            "key": "reception",
            "name": "Tiếp nhận hồ sơ",
            "unit": "mot-cua",
            "role": "desk",
            "days": 0.25,
            "actions": ["supplement", "refuse"],
        },
        {
            "key": "review",
            "name": "Thẩm định hồ sơ",
            "unit": "chuyen-mon",
            "role": "specialist",
            "days": 1,
            "actions": ["supplement", "consult", "transfer", "payment", "stop"],
        },
        {
            "key": "head-review",
            "name": "Lãnh đạo phòng xem xét",
            "unit": "chuyen-mon",
            "role": "unit_head",
            "days": 0.25,
            "actions": ["send_back"],
        },
        {
            "key": "approval",
            "name": "Lãnh đạo phê duyệt, ký",
            "unit": "lanh-dao",
            "role": "leader",
            "days": 0.25,
            "signs": True,
            "actions": ["send_back"],
        },
        {"key": "return", "name": "Trả kết quả", "unit": "mot-cua", "role": "desk", "days": 0.25},
    ],
    "supplement_within_days": 1,
    "payment_pauses_clock": True,
}


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    agency = factory.SubFactory(AgencyFactory)
    code = factory.Sequence(lambda n: f"don-vi-{n}")
    name = factory.Sequence(lambda n: f"Đơn vị {n}")
    kind = "specialist"


def make_officer(
    agency: Agency | None = None,
    *memberships: tuple[Unit, str],
    full_name: str = "Cán bộ",
    second_factor: bool = True,
    **fields,
) -> User:
    """An officer of `agency` holding each (unit, role) of `memberships`.

    Like every officer in production, they have a confirmed authenticator (so login_officer
    lets them in and the pages ask for a code, not an enrolment); `second_factor=False` gives
    one who has not enrolled yet. `fields` go to the user (email, is_superuser, ...).
    """
    fields = {"phone": None, "citizen_id": "", **fields}
    officer = UserFactory(kind=User.Kind.OFFICER, agency=agency, full_name=full_name, **fields)
    Membership.objects.bulk_create(
        Membership(user=officer, unit=unit, role=role) for unit, role in memberships
    )
    if second_factor:
        officer_device(officer)
    return officer


@dataclass
class Organisation:
    """A receiving agency as the back office runs it: the one-stop desk (Bộ phận Một cửa),
    a specialist department and the leadership, one officer per role, and the procedure with
    its workflow."""

    agency: Agency
    desk: Unit
    department: Unit
    leadership: Unit
    desk_officer: User
    desk_head: User
    specialist: User
    head: User
    leader: User
    admin: User
    procedure: Procedure
    workflow: Workflow


def make_organisation(procedure: Procedure, definition: dict | None = None) -> Organisation:
    """The organisation of `procedure`'s receiving agency, with `definition`
    (STANDARD_WORKFLOW by default) saved as the procedure's workflow."""
    agency = procedure.receiving_agency
    desk = UnitFactory(agency=agency, code="mot-cua", name="Bộ phận Một cửa", kind="desk")
    department = UnitFactory(
        agency=agency, code="chuyen-mon", name="Phòng Quản lý vận tải", kind="specialist"
    )
    leadership = UnitFactory(agency=agency, code="lanh-dao", name="Lãnh đạo Sở", kind="leadership")
    return Organisation(
        agency=agency,
        desk=desk,
        department=department,
        leadership=leadership,
        desk_officer=make_officer(agency, (desk, Role.DESK), full_name="Nguyễn Thị Mai"),
        desk_head=make_officer(agency, (desk, Role.UNIT_HEAD), full_name="Phan Văn Hải"),
        specialist=make_officer(agency, (department, Role.SPECIALIST), full_name="Trần Quốc Việt"),
        head=make_officer(agency, (department, Role.UNIT_HEAD), full_name="Hoàng Minh Đức"),
        leader=make_officer(agency, (leadership, Role.LEADER), full_name="Võ Thị Lan"),
        admin=make_officer(agency, (desk, Role.AGENCY_ADMIN), full_name="Lê Quang Huy"),
        procedure=procedure,
        workflow=save_workflow_version(procedure, definition or STANDARD_WORKFLOW),
    )


def make_submitted_dossier(procedure, applicant, *, plate="75A-123.45", **fields):
    """A dossier just submitted online (status 1) and routed to the desk, as dossier_submit
    leaves it, without going through the form pages."""
    values = {
        "procedure": procedure,
        "applicant": applicant,
        "receiving_agency": procedure.receiving_agency,
        "applicant_name": applicant.display_name,
        "applicant_phone": applicant.phone or "",
        "applicant_id_number": applicant.citizen_id,
        "applicant_email": applicant.email or "",
        "delivery_method": "online",
        "form_data": {
            "applicant": {"full_name": applicant.full_name, "phone": applicant.phone or ""},
            "vehicles": [{"plate": plate, "seats": 16, "ownership": "owned"}],
        },
    }
    values.update(fields)
    channel = values.pop("channel", Dossier.Channel.ONLINE)
    return intake.submit(
        dossier=Dossier(**values), actor=applicant, channel=channel, note="Nộp hồ sơ trực tuyến"
    )
