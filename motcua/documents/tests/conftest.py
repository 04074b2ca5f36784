from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from motcua.accounts.models import Role
from motcua.catalogue.models import Component
from motcua.dossiers.models import Attachment, Dossier, Status
from motcua.factories import AgencyFactory, ComponentFactory, ProcedureFactory, UserFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=VN)


@pytest.fixture
def agency(db):
    parent = AgencyFactory(name="Ủy ban nhân dân thành phố Huế", identifier="000.00.00.H56")
    return AgencyFactory(
        name="Sở Xây dựng thành phố Huế",
        identifier="000.00.18.H56",
        parent=parent,
        address="Số 1 Lê Lợi, phường Thuận Hóa, thành phố Huế",
        phone="0234 3822 222",
    )


@pytest.fixture
def org(hue_procedure, make_organisation):
    return make_organisation(hue_procedure)


@pytest.fixture
def desk(org):
    return org.desk


@pytest.fixture
def specialist_unit(org):
    return org.department


@pytest.fixture
def officer(desk, make_officer):
    return make_officer(desk.agency, (desk, Role.DESK), full_name="Trần Thị Bích")


@pytest.fixture
def applicant(db):
    return UserFactory(
        full_name="Nguyễn Văn Ánh",
        address="12 Đường Lê Lợi, phường Thuận Hóa, thành phố Huế",
        phone="0905123456",
        email="anh@example.vn",
    )


@pytest.fixture
def hue_procedure(agency):
    procedure = ProcedureFactory(
        agency=agency, name="Cấp phù hiệu xe ô tô kinh doanh vận tải", processing_time=2
    )
    ComponentFactory(
        procedure=procedure,
        name="Giấy đề nghị cấp phù hiệu",
        paper_form=Component.PaperForm.ORIGINAL,
        quantity=1,
    )
    ComponentFactory(
        procedure=procedure,
        name="Giấy đăng ký xe ô tô",
        paper_form=Component.PaperForm.COPY,
        quantity=2,
    )
    ComponentFactory(
        procedure=procedure,
        name="Hợp đồng thuê xe",
        requirement=Component.Requirement.CONDITIONAL,
    )
    return procedure


def make_dossier(procedure, applicant, *, code, accepted_at, due_at, unit=None, **fields):
    """A dossier as the back office leaves it after acceptance (status 4)."""
    values = {
        "status": Status.PROCESSING,
        "code": code,
        "applicant_name": applicant.full_name,
        "applicant_phone": applicant.phone or "",
        "applicant_email": applicant.email or "",
        "applicant_id_number": applicant.citizen_id,
        "submitted_at": accepted_at,
        "accepted_at": accepted_at,
        "due_at": due_at,
        "original_due_at": due_at,
        "delivery_method": Dossier.Delivery.COUNTER,
        "current_unit": unit,
        **fields,
    }
    return Dossier.objects.create(
        procedure=procedure,
        applicant=applicant,
        receiving_agency=procedure.receiving_agency,
        **values,
    )


def attach(dossier, component, count=1):
    for i in range(count):
        Attachment.objects.create(
            dossier=dossier,
            component=component,
            file=f"dossiers/test/{dossier.pk}-{component.pk}-{i}.pdf",
            original_name=f"{component.name}.pdf",
            content_type="application/pdf",
            size=100,
            sha256="0" * 64,
            uploaded_by=dossier.applicant,
        )


@pytest.fixture
def dossier(hue_procedure, applicant, desk):
    dossier = make_dossier(
        hue_procedure,
        applicant,
        code="000.00.18.H56-261123-0001",
        accepted_at=local(2026, 11, 23, 8, 30),
        due_at=local(2026, 11, 25, 16, 30),
        unit=desk,
    )
    first, second, _conditional = hue_procedure.components.all()
    attach(dossier, first)
    attach(dossier, second, 2)
    return dossier
