"""Once-only (decisions 0078, 0079): forms prefilled from the registers with their sources, and
a component obtained from a register instead of asked for. The registers are the sandbox,
reached over the protocol in process (in_process_http)."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from motcua.catalogue.forms_schema import schema_problems
from motcua.catalogue.models import Component
from motcua.core.retention import purgers
from motcua.documents.context import components_context
from motcua.dossiers import once_only, services
from motcua.dossiers.models import Dossier, ObtainedComponent, Status
from motcua.dossiers.panels import register_sources_for_officer
from motcua.factories import ComponentFactory, ProcedureFactory, UserFactory
from motcua.registers.models import Lookup

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "catalogue/demo"
REGISTRATION = "Chứng nhận đăng ký xe ô tô hoặc giấy hẹn nhận chứng nhận đăng ký xe"


def demo(name: str) -> dict:
    return json.loads((DEMO / name).read_text(encoding="utf-8"))


@pytest.fixture
def badge(db):
    spec = demo("badge-2.002288.json")
    procedure = ProcedureFactory(
        code="2.002288",
        form_schema=spec["procedure"]["form_schema"],
        form_ui=spec["procedure"]["form_ui"],
    )
    for row in spec["components"]:
        ComponentFactory(procedure=procedure, **row)
    return procedure


@pytest.fixture
def company(db):
    return UserFactory(
        kind="organisation",
        full_name="Trần Văn Bình",
        organisation_name="Hương Giang (tên trong tài khoản)",
        tax_code="3300123456",
        address="Địa chỉ trong tài khoản",
        phone="0905123456",
        citizen_id="",
    )


def section(client, dossier, name="vehicles"):
    return client.get(reverse("dossiers:section", args=[dossier.uuid, name]))


def vehicle_post(plate: str, **more) -> dict:
    return {"vehicles.0.plate": plate, "vehicles.0.ownership": "owned", **more}


# --- Prefill at creation --------------------------------------------------------------------


def test_the_draft_is_prefilled_from_the_business_register_at_once(in_process_http, badge, company):
    dossier = services.dossier_start(procedure=badge, applicant=company)
    dossier.refresh_from_db()
    operator = dossier.form_data["operator"]
    # The register's values, not the profile's.
    assert operator["name"] == "Công ty TNHH Vận tải Hương Giang"
    assert operator["address"] == "25 Hùng Vương, phường Thuận Hóa, thành phố Huế"
    assert operator["representative"] == "Trần Văn Bình"
    assert operator["type"] == "enterprise"
    assert operator["business_registration_date"] == "2015-06-12"
    assert operator["licence_no"] == "46-0123/GPKDVT"
    assert operator["permitted_types"] == ["contract", "tourism"]
    assert operator["phone"] == "0905123456"  # the profile's
    source = dossier.prefill_sources["operator.name"]
    assert source["register"] == "business"
    assert source["label"] == "Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp"
    assert source["key"] == "3300123456" and source["reference"]
    assert dossier.prefill_sources["operator.phone"] == "profile.phone"
    lookup = Lookup.objects.get()
    assert (lookup.register, lookup.outcome) == ("business", "found")
    assert (lookup.requested_by_id, lookup.dossier_id) == (company.pk, dossier.pk)
    assert (lookup.purpose_code, lookup.purpose) == ("2.002288", "Xử lý thủ tục hành chính")


def test_a_register_down_at_creation_leaves_the_profile_values_and_says_so(
    in_process_http, client, badge, company
):
    in_process_http.fail("/sandbox/registers/", requests.Timeout("read timed out"))
    client.force_login(company)
    response = client.post(reverse("dossiers:start", args=[badge.code]), follow=True)
    assert response.status_code == 200
    assert "Chưa kết nối được với Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp" in (
        response.content.decode()
    )
    dossier = Dossier.objects.get(applicant=company)
    assert dossier.form_data["operator"]["name"] == "Hương Giang (tên trong tài khoản)"
    assert dossier.prefill_sources["operator.name"] == "profile.organisation_name"
    assert "operator.business_registration_no" not in dossier.form_data["operator"]
    assert Lookup.objects.get().outcome == "unavailable"


def test_a_tax_code_the_register_does_not_know_is_no_news_at_creation(in_process_http, badge):
    user = UserFactory(kind="organisation", organisation_name="Sông Hương", tax_code="0100109106")
    outcome = services.dossier_start(procedure=badge, applicant=user).prefill_outcome
    assert outcome.problems == [] and outcome.filled == []
    assert Lookup.objects.get().outcome == "not_found"


# --- The button beside the key field --------------------------------------------------------


def test_the_button_fills_a_vehicle_and_the_source_is_shown_beside_each_field(
    in_process_http, client, badge, company, clock
):
    clock.current = datetime(2026, 12, 7, 7, 5, tzinfo=UTC)  # 14:05 in Huế
    dossier = services.dossier_start(procedure=badge, applicant=company)
    client.force_login(company)
    page = section(client, dossier).content.decode()
    assert 'name="_lookup" value="vehicles.0.plate"' in page
    assert "Lấy thông tin từ Cơ sở dữ liệu đăng ký xe" in page

    url = reverse("dossiers:section", args=[dossier.uuid, "vehicles"])
    response = client.post(url, vehicle_post("75b 012.34", _lookup="vehicles.0.plate"))
    assert response.status_code == 302 and response["Location"].endswith("#f-vehicles-0-plate")
    dossier.refresh_from_db()
    vehicle = dossier.form_data["vehicles"][0]
    assert vehicle["plate"] == "75B-012.34"  # normalised by the form, then looked up
    assert vehicle["chassis_no"] == "WF0XXXTTGXMK12345"
    assert vehicle["engine_no"] == "YLF6M12345"
    assert vehicle["vehicle_class"] == "Ô tô khách"
    assert vehicle["seats"] == 16 and vehicle["year_of_manufacture"] == 2021
    assert vehicle["ownership"] == "owned"  # the applicant's answer stays
    assert "payload_kg" not in vehicle  # the register has none: nothing filled
    assert dossier.prefill_sources["vehicles.0.chassis_no"]["register"] == "vehicles"

    page = client.get(response["Location"]).content.decode()
    assert "Đã lấy thông tin từ Cơ sở dữ liệu đăng ký xe" in page
    assert "Nguồn: Cơ sở dữ liệu đăng ký xe, lúc 14:05 07/12/2026" in page
    assert 'id="f-vehicles-0-chassis_no-source"' in page
    assert Lookup.objects.filter(register="vehicles", outcome="found").count() == 1


def test_a_value_the_applicant_corrects_keeps_its_source_which_says_so(
    in_process_http, client, badge, company
):
    dossier = services.dossier_start(procedure=badge, applicant=company)
    client.force_login(company)
    url = reverse("dossiers:section", args=[dossier.uuid, "vehicles"])
    client.post(url, vehicle_post("75B-012.34", _lookup="vehicles.0.plate"))
    dossier.refresh_from_db()
    post = {f"vehicles.0.{k}": v for k, v in dossier.form_data["vehicles"][0].items()}
    post["vehicles.0.colour"] = "Trắng xanh"
    client.post(url, post)
    dossier.refresh_from_db()
    assert dossier.form_data["vehicles"][0]["colour"] == "Trắng xanh"
    assert dossier.prefill_sources["vehicles.0.colour"]["value"] == "Trắng"
    page = section(client, dossier).content.decode()
    assert "người nộp đã sửa giá trị này" in page
    sourced = {label: (value, s) for label, value, s in once_only.sourced_answers(dossier)}
    value, source = sourced["75B-012.34 – Màu sơn"]
    assert value == "Trắng xanh" and source.changed
    assert not sourced["75B-012.34 – Số khung"][1].changed

    # Another plate typed without pressing the button: the old sources no longer apply.
    post["vehicles.0.plate"] = "75B-015.67"
    client.post(url, post)
    dossier.refresh_from_db()
    assert once_only.sourced_answers(dossier) == [
        s for s in once_only.sourced_answers(dossier) if not s[0].startswith("75B-")
    ]
    assert "Nguồn: Cơ sở dữ liệu đăng ký xe" not in section(client, dossier).content.decode()


@pytest.mark.parametrize("how", ["timeout", "slow", "unavailable"])
def test_a_failing_register_leaves_the_fields_to_fill_by_hand_with_a_message(
    in_process_http, client, badge, company, settings, how
):
    dossier = services.dossier_start(procedure=badge, applicant=company)
    client.force_login(company)
    plate = {"timeout": "75B-012.34", "slow": "29A-999.99", "unavailable": "29A-999.98"}[how]
    if how == "timeout":
        in_process_http.fail("/sandbox/registers/vehicles/", requests.Timeout("timed out"))
    settings.REGISTERS_TIMEOUT = 0.2
    settings.SANDBOX_REGISTERS_SLOW_SECONDS = 0.3
    url = reverse("dossiers:section", args=[dossier.uuid, "vehicles"])
    response = client.post(
        url, vehicle_post(plate, **{"vehicles.0.brand": "Ford"}, _lookup="vehicles.0.plate")
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Chưa kết nối được với Cơ sở dữ liệu đăng ký xe" in page
    assert "tự nhập các thông tin" in page
    dossier.refresh_from_db()
    assert dossier.form_data["vehicles"][0] == {
        "plate": plate,
        "brand": "Ford",
        "ownership": "owned",
    }
    assert not any(p.startswith("vehicles.") for p in dossier.prefill_sources)
    assert Lookup.objects.filter(register="vehicles").get().outcome == "unavailable"


def test_a_button_value_that_is_not_a_key_field_is_ignored(in_process_http, client, badge, company):
    dossier = services.dossier_start(procedure=badge, applicant=company)
    client.force_login(company)
    url = reverse("dossiers:section", args=[dossier.uuid, "vehicles"])
    for forged in ("vehicles.0.brand", "operator.tax_code", "vehicles.x.plate", "../"):
        client.post(url, vehicle_post("75B-012.34", _lookup=forged))
    assert not Lookup.objects.filter(register="vehicles").exists()
    # Nothing was filled from a register: the vehicle's fields have no source.
    dossier.refresh_from_db()
    assert dossier.form_data["vehicles"][0]["plate"] == "75B-012.34"
    assert not any(path.startswith("vehicles") for path in dossier.prefill_sources)


def test_another_persons_draft_answers_404(in_process_http, client, badge, company):
    dossier = services.dossier_start(procedure=badge, applicant=company)
    client.force_login(UserFactory(kind="organisation", tax_code="3300456783"))
    url = reverse("dossiers:section", args=[dossier.uuid, "vehicles"])
    assert (
        client.post(url, vehicle_post("75B-012.34", _lookup="vehicles.0.plate")).status_code == 404
    )


# --- The population database: the applicant's own data only ---------------------------------


@pytest.fixture
def seafarer(db):
    spec = demo("seafarer-book-1.002788.json")
    return ProcedureFactory(
        code="1.002788",
        form_schema=spec["procedure"]["form_schema"],
        form_ui=spec["procedure"]["form_ui"],
    )


def test_a_verified_citizen_is_prefilled_from_the_population_database(in_process_http, seafarer):
    citizen = UserFactory(
        full_name="Lê Thị Thu Hà",
        citizen_id="046190012345",
        address="",
        identity_provider="vneid",
        identity_verified_at=timezone.now(),
    )
    dossier = services.dossier_start(procedure=seafarer, applicant=citizen)
    dossier.refresh_from_db()
    assert dossier.form_data["seafarer"]["address"] == (
        "12 Lê Lợi, phường Thuận Hóa, thành phố Huế"
    )
    assert dossier.form_data["seafarer"]["birth_date"] == "1990-03-15"
    assert dossier.prefill_sources["seafarer.address"]["register"] == "population"
    lookup = Lookup.objects.get()
    assert lookup.key_masked == "*********345" and lookup.purpose_code == "1.002788"


def test_nobody_reads_a_strangers_record_by_typing_their_number(in_process_http, client, seafarer):
    citizen = UserFactory(citizen_id="046190012345")  # typed in the profile, not vouched for
    dossier = services.dossier_start(procedure=seafarer, applicant=citizen)
    client.force_login(citizen)
    url = reverse("dossiers:section", args=[dossier.uuid, "seafarer"])
    response = client.post(
        url,
        {"seafarer.citizen_id": "046085001234", "_lookup": "seafarer.citizen_id"},
        follow=True,
    )
    assert "chỉ cung cấp thông tin của chính quý vị" in response.content.decode()
    assert not Lookup.objects.exists()
    dossier.refresh_from_db()
    assert "Trần Văn Bình" not in json.dumps(dossier.form_data, ensure_ascii=False)


# --- A component obtained from the vehicle register -----------------------------------------


def registration(badge) -> Component:
    return badge.components.get(name=REGISTRATION)


def with_vehicles(dossier, *plates):
    dossier.form_data["vehicles"] = [{"plate": p, "ownership": "owned"} for p in plates]
    dossier.save()


def test_the_vehicle_registration_is_obtained_and_not_asked_for(
    in_process_http, client, badge, company
):
    dossier = services.dossier_start(procedure=badge, applicant=company)
    with_vehicles(dossier, "75B-012.34", "75B-015.67")
    component = registration(badge)
    assert component in services.dossier_readiness(dossier).missing_components

    client.force_login(company)
    page = client.get(reverse("dossiers:attachments", args=[dossier.uuid])).content.decode()
    assert "Cơ quan tự khai thác từ Cơ sở dữ liệu đăng ký xe, quý vị không phải nộp." in page
    assert "chứng nhận số 046123" in page and "chứng nhận số 046456" in page
    assert f'value="{component.pk}"' not in page  # no upload form for it
    rows = list(ObtainedComponent.objects.filter(dossier=dossier).order_by("key"))
    assert [r.key for r in rows] == ["75B-012.34", "75B-015.67"]
    assert rows[0].attributes["chassis_no"] == "WF0XXXTTGXMK12345" and rows[0].reference
    assert component not in services.dossier_readiness(dossier).missing_components

    # Seen again: no new look-up.
    count = Lookup.objects.count()
    client.get(reverse("dossiers:attachments", args=[dossier.uuid]))
    assert Lookup.objects.count() == count

    # A third vehicle: asked for until it too is obtained.
    with_vehicles(dossier, "75B-012.34", "75B-015.67", "75H-023.45")
    assert component in services.dossier_readiness(dossier).missing_components
    client.get(reverse("dossiers:attachments", args=[dossier.uuid]))
    assert component not in services.dossier_readiness(dossier).missing_components

    # The receipt lists it as obtained; the officer sees what was obtained.
    row = next(r for r in components_context(dossier) if r["name"] == REGISTRATION)
    assert row["paper_form"] == "Khai thác từ CSDL (Cơ sở dữ liệu đăng ký xe)"
    request = RequestFactory().get("/")
    request.user = company
    panel = register_sources_for_officer(request, dossier)
    assert "khai thác từ Cơ sở dữ liệu đăng ký xe" in panel
    assert "Chủ xe: Hoàng Văn Dũng" in panel  # the officer sees the owner; the form does not


@pytest.mark.parametrize("plate", ["29A-999.98", "51A-000.01", "75B-009.99"])
def test_when_the_register_cannot_give_it_the_component_is_uploaded(
    in_process_http, client, badge, company, plate
):
    dossier = services.dossier_start(procedure=badge, applicant=company)
    with_vehicles(dossier, "75B-012.34", plate)
    client.force_login(company)
    page = client.get(reverse("dossiers:attachments", args=[dossier.uuid])).content.decode()
    assert "Giấy tờ này cần được tải lên." in page
    message = {
        "29A-999.98": "Chưa kết nối được với Cơ sở dữ liệu đăng ký xe",
        "51A-000.01": "Cơ sở dữ liệu đăng ký xe không có thông tin",
        "75B-009.99": "cho biết “75B-009.99” không còn hiệu lực",
    }[plate]
    assert message in page
    component = registration(badge)
    assert f'value="{component.pk}"' in page  # its upload form
    assert component in services.dossier_readiness(dossier).missing_components


def test_officer_sees_the_sources_of_a_submitted_dossier(in_process_http, client, badge, company):
    dossier = services.dossier_start(procedure=badge, applicant=company)
    Dossier.objects.filter(pk=dossier.pk).update(status=Status.SUBMITTED, code="X-1")
    dossier.refresh_from_db()
    request = RequestFactory().get("/")
    request.user = company
    panel = register_sources_for_officer(request, dossier)
    assert "Thông tin lấy từ cơ sở dữ liệu của Nhà nước" in panel
    assert "Tên đơn vị kinh doanh vận tải" in panel
    assert "Nguồn: Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp" in panel
    assert "mã giao dịch" in panel
    # And the applicant, after submission, on their page.
    client.force_login(company)
    page = client.get(reverse("dossiers:detail", args=[dossier.uuid])).content.decode()
    assert "Nguồn: Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp" in page


def test_review_page_lists_sources(in_process_http, client, badge, company):
    dossier = services.dossier_start(procedure=badge, applicant=company)
    client.force_login(company)
    page = client.get(reverse("dossiers:review", args=[dossier.uuid])).content.decode()
    assert "Thông tin lấy từ cơ sở dữ liệu của Nhà nước" in page
    assert "Nguồn: Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp" in page


def test_retention_forgets_the_obtained_data_and_the_lookup_keys(in_process_http, badge, company):
    dossier = services.dossier_start(procedure=badge, applicant=company)
    with_vehicles(dossier, "75B-012.34")
    once_only.obtain_components(dossier=dossier, user=company, components=[registration(badge)])
    assert ObtainedComponent.objects.count() == 1
    outcome = purgers.run([dossier.pk])
    assert outcome.ok
    assert outcome.counts["dossiers.obtained"] == 1
    assert outcome.counts["registers.lookups"] == 2
    assert not ObtainedComponent.objects.exists()
    assert set(Lookup.objects.values_list("key_masked", "key_hash")) == {("", "")}


# --- The hints are checked where the form is ------------------------------------------------


def test_register_hints_are_checked():
    schema = {
        "type": "object",
        "properties": {
            "operator": {
                "type": "object",
                "title": "Đơn vị",
                "properties": {
                    "tax_code": {"type": "string", "title": "MST"},
                    "name": {"type": "string", "title": "Tên"},
                },
            },
            "vehicles": {
                "type": "array",
                "title": "Xe",
                "items": {
                    "type": "object",
                    "properties": {
                        "plate": {"type": "string", "title": "Biển số"},
                        "brand": {"type": "string", "title": "Nhãn hiệu"},
                    },
                },
            },
        },
    }

    def problems(hint):
        return schema_problems(schema, {"fields": {"vehicles.*.brand": {"prefill": hint}}})

    good = {"register": "vehicles", "key": "vehicles.*.plate", "field": "brand"}
    assert problems(good) == []
    assert problems({**good, "key": "vehicles.*.colour"})  # no such field
    assert problems({**good, "key": "operator.tax_code"})  # not the same vehicle
    assert problems({**good, "key": "vehicles.*.brand"})  # itself
    assert problems({**good, "register": "Xe cộ"})
    assert problems({**good, "extra": 1})
    assert problems({**good, "profile": "favourite_colour"})
    assert (
        schema_problems(
            schema,
            {
                "fields": {
                    "operator.name": {
                        "prefill": {
                            "register": "business",
                            "key": "operator.tax_code",
                            "field": "name",
                        }
                    }
                }
            },
        )
        == []
    )


def test_a_component_obtained_from_a_register_names_its_key_field(badge):
    from django.core.exceptions import ValidationError

    component = registration(badge)
    component.key_field = ""
    with pytest.raises(ValidationError):
        component.full_clean()
    component.key_field = "vehicles[0].plate"
    with pytest.raises(ValidationError):
        component.full_clean()


def test_the_button_is_limited_per_applicant(in_process_http, client, badge, company, settings):
    settings.REGISTERS_LOOKUPS_PER_HOUR = 2
    dossier = services.dossier_start(procedure=badge, applicant=company)
    client.force_login(company)
    url = reverse("dossiers:section", args=[dossier.uuid, "vehicles"])
    for _ in range(2):
        client.post(url, vehicle_post("75B-012.34", _lookup="vehicles.0.plate"))
    response = client.post(url, vehicle_post("75B-015.67", _lookup="vehicles.0.plate"), follow=True)
    assert "Quý vị đã tra cứu nhiều lần liên tiếp" in response.content.decode()
    assert Lookup.objects.filter(register="vehicles").count() == 2


def test_a_component_from_the_population_database_is_not_a_way_round_the_rule(
    in_process_http, client, seafarer
):
    """The attachments page obtains components under the form button's rules: a stranger's
    ID number typed in the form reads nothing from the population database."""
    ComponentFactory(
        procedure=seafarer,
        name="Căn cước",
        obtained_from="population",
        key_field="seafarer.citizen_id",
    )
    citizen = UserFactory(citizen_id="046190012345")  # typed, not vouched for
    dossier = services.dossier_start(procedure=seafarer, applicant=citizen)
    dossier.form_data = {"seafarer": {"citizen_id": "046085001234"}}
    dossier.save()
    client.force_login(citizen)
    page = client.get(reverse("dossiers:attachments", args=[dossier.uuid])).content.decode()
    assert "chỉ cung cấp thông tin của chính người nộp hồ sơ" in page
    assert "Trần Văn Bình" not in page
    assert not Lookup.objects.filter(register="population").exists()
    assert not dossier.obtained.exists()


def test_the_attachments_page_counts_against_the_hourly_allowance(
    in_process_http, client, badge, company, settings
):
    settings.REGISTERS_LOOKUPS_PER_HOUR = 1
    dossier = services.dossier_start(procedure=badge, applicant=company)
    with_vehicles(dossier, "75B-012.34", "75B-015.67")
    client.force_login(company)
    page = client.get(reverse("dossiers:attachments", args=[dossier.uuid])).content.decode()
    assert "Quý vị đã tra cứu nhiều lần liên tiếp" in page
    assert Lookup.objects.filter(register="vehicles").count() == 1
