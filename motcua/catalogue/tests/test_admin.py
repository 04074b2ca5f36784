import json
from datetime import timedelta

import pytest
from django.utils import timezone

from motcua.catalogue import selectors
from motcua.catalogue.admin import procedure_new_version
from motcua.catalogue.models import Component, Procedure
from motcua.factories import (
    SIMPLE_SCHEMA,
    SIMPLE_UI,
    AgencyFactory,
    ComponentFactory,
    ProcedureFactory,
    SectorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/catalogue/procedure/add/"
LIST_URL = "/admin/catalogue/procedure/"


def _post_data(**overrides) -> dict:
    agency = AgencyFactory()
    data = {
        "code": "9.123456",
        "name": "Cấp phù hiệu xe nội bộ",
        "sector": SectorFactory().pk,
        "agency": agency.pk,
        "receiving_agency": agency.pk,
        "applicant_type": "both",
        "service_level": "full",
        "partial_reason": "",
        "delivery_options": ["online", "post"],
        "processing_time": "2",
        "processing_time_unit": "working_days",
        "processing_time_note": "",
        "fee_vnd": "0",
        "fee_note": "",
        "result_name": "Phù hiệu",
        "result_validity": "",
        "steps": "",
        "legal_basis": "[]",
        "faq": "[]",
        "form_schema": json.dumps(SIMPLE_SCHEMA),
        "form_ui": json.dumps(SIMPLE_UI),
        "effective_from": "01/01/2026",
        "effective_to": "",
        "is_published": "on",
        "source_url": "",
        "notes": "",
        "components-TOTAL_FORMS": "1",
        "components-INITIAL_FORMS": "0",
        "components-MIN_NUM_FORMS": "0",
        "components-MAX_NUM_FORMS": "1000",
        "components-0-order": "1",
        "components-0-name": "Giấy đề nghị cấp phù hiệu",
        "components-0-paper_form": "original",
        "components-0-quantity": "1",
        "components-0-requirement": "required",
        "components-0-condition": "",
        "components-0-condition_field": "",
        "components-0-accepted_types": ["pdf", "office"],
        "components-0-max_files": "5",
        "components-0-national_source": "",
        "components-0-description": "",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_valid_procedure_with_its_components(admin_client_vi):
    response = admin_client_vi.post(ADD_URL, _post_data())

    assert response.status_code == 302, response.context["adminform"].form.errors
    procedure = Procedure.objects.get(code="9.123456")
    assert procedure.delivery_options == ["online", "post"]
    assert procedure.form_schema == SIMPLE_SCHEMA
    component = procedure.components.get()
    assert component.accepted_types == ["pdf", "office"]


def test_admin_cannot_label_a_procedure_without_a_form_full_process(admin_client_vi):
    response = admin_client_vi.post(ADD_URL, _post_data(form_schema="{}", form_ui="{}"))

    assert response.status_code == 200
    assert "Thủ tục toàn trình phải nhận hồ sơ trực tuyến" in response.content.decode()
    assert not Procedure.objects.filter(code="9.123456").exists()


def test_admin_refuses_an_invalid_form_schema(admin_client_vi):
    bad = {"type": "object", "properties": {"applicant": {"type": "string"}}}
    response = admin_client_vi.post(ADD_URL, _post_data(form_schema=json.dumps(bad)))

    assert response.status_code == 200
    assert "phải là object hoặc array" in response.content.decode()
    assert not Procedure.objects.exists()


def test_admin_refuses_ui_hints_for_unknown_fields(admin_client_vi):
    ui = {"fields": {"applicant.nickname": {"widget": "text"}}}
    response = admin_client_vi.post(ADD_URL, _post_data(form_ui=json.dumps(ui)))

    assert "trường không có trong lược đồ" in response.content.decode()
    assert not Procedure.objects.exists()


def test_admin_refuses_a_procedure_without_processing_time(admin_client_vi):
    response = admin_client_vi.post(ADD_URL, _post_data(processing_time=""))

    assert response.status_code == 200
    assert "Nhập thời hạn giải quyết (số ngày) của thủ tục." in response.content.decode()
    assert not Procedure.objects.exists()


def test_admin_refuses_a_partial_service_without_a_reason(admin_client_vi):
    response = admin_client_vi.post(ADD_URL, _post_data(service_level="partial"))

    assert "Dịch vụ một phần phải công bố lý do." in response.content.decode()


def test_admin_refuses_a_component_without_a_name(admin_client_vi):
    response = admin_client_vi.post(
        ADD_URL, _post_data(**{"components-0-name": "", "components-0-description": "Bản sao"})
    )

    assert response.status_code == 200
    assert "Thành phần hồ sơ phải có tên." in response.content.decode()
    assert not Procedure.objects.exists()


def test_an_empty_form_schema_box_means_no_online_form(admin_client_vi):
    response = admin_client_vi.post(
        ADD_URL, _post_data(form_schema="", form_ui="", service_level="")
    )

    assert response.status_code == 302
    procedure = Procedure.objects.get(code="9.123456")
    assert procedure.form_schema == {} and not procedure.accepts_online


def test_admin_search_ignores_accents_and_filters_render(admin_client_vi):
    ProcedureFactory(name="Cấp, cấp lại phù hiệu xe ô tô", code="2.002288")
    ProcedureFactory(name="Đăng ký tàu biển không thời hạn", code="1.002687")

    found = admin_client_vi.get(LIST_URL, {"q": "cap phu hieu"})
    filtered = admin_client_vi.get(
        LIST_URL, {"service_level__exact": "full", "is_published__exact": "1"}
    )

    assert [p.code for p in found.context["cl"].result_list] == ["2.002288"]
    assert filtered.status_code == 200
    assert admin_client_vi.get("/admin/catalogue/agency/", {"q": "Sở"}).status_code == 200


def test_admin_pages_are_refused_to_applicants(client, db):
    client.force_login(UserFactory())

    response = client.get(LIST_URL)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_new_version_action_copies_procedure_and_components(admin_client_vi):
    old = ProcedureFactory(effective_from=timezone.localdate() - timedelta(days=400))
    ComponentFactory(procedure=old, name="Giấy đề nghị")
    ComponentFactory(procedure=old, name="Hợp đồng thuê xe", requirement="conditional")
    today = timezone.localdate()

    response = admin_client_vi.post(
        LIST_URL, {"action": "make_new_version", "_selected_action": [old.pk]}
    )

    new = Procedure.objects.exclude(pk=old.pk).get(code=old.code)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/admin/catalogue/procedure/{new.pk}/change/")
    old.refresh_from_db()
    assert (old.effective_to, new.effective_from, new.effective_to) == (today, today, None)
    assert list(new.components.values_list("name", flat=True)) == [
        "Giấy đề nghị",
        "Hợp đồng thuê xe",
    ]
    assert old.components.count() == 2
    assert new.form_schema == old.form_schema
    assert selectors.procedure_in_force(old.code) == new


def test_new_version_is_refused_when_one_already_starts_today(admin_client_vi):
    old = ProcedureFactory(effective_from=timezone.localdate() - timedelta(days=10))
    procedure_new_version(procedure=old, effective_from=timezone.localdate())

    response = admin_client_vi.post(
        LIST_URL, {"action": "make_new_version", "_selected_action": [old.pk]}, follow=True
    )

    assert "đã có phiên bản hiệu lực từ ngày" in response.content.decode()
    assert Procedure.objects.filter(code=old.code).count() == 2
    assert Component.objects.count() == 0


def test_admin_sets_a_procedures_retention_period_or_leaves_the_default(admin_client_vi):
    admin_client_vi.post(ADD_URL, _post_data(retention_years="20"))
    admin_client_vi.post(ADD_URL, _post_data(code="9.654321"))

    assert Procedure.objects.get(code="9.123456").retention_years == 20
    assert Procedure.objects.get(code="9.654321").retention_years is None
    response = admin_client_vi.post(ADD_URL, _post_data(code="9.111111", retention_years="0"))
    assert response.status_code == 200
    assert not Procedure.objects.filter(code="9.111111").exists()
