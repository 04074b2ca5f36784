import io
import json
from datetime import date

import pytest
from django.core.management import call_command

from motcua.catalogue.forms_schema import prefill, validate_form
from motcua.catalogue.management.commands.load_catalogue import default_data_file
from motcua.catalogue.models import Agency, Component, Procedure, Sector
from motcua.catalogue.tests.conftest import AIRCRAFT, BADGE, COMPLETE, SHIP
from motcua.factories import UserFactory

pytestmark = pytest.mark.django_db

RECORDS = {r["code"]: r for r in json.loads(default_data_file().read_text(encoding="utf-8"))}


def _load(**kwargs) -> str:
    out = io.StringIO()
    call_command("load_catalogue", stdout=out, **kwargs)
    return out.getvalue()


def test_it_loads_every_procedure_once_even_when_run_twice(catalogue):
    components = Component.objects.count()
    agencies = Agency.objects.count()

    output = _load()

    assert "0 mới, 78 cập nhật" in output
    assert Procedure.objects.count() == 78 == len(RECORDS)
    assert Procedure.objects.values("code").distinct().count() == 78
    assert set(Procedure.objects.values_list("effective_from", flat=True)) == {date(2025, 1, 1)}
    assert Component.objects.count() == components
    assert Agency.objects.count() == agencies
    assert Sector.objects.count() == 6


def test_sectors_are_named_in_vietnamese_and_ordered(catalogue):
    assert list(Sector.objects.values_list("code", "name")) == [
        ("road", "Đường bộ"),
        ("maritime", "Hàng hải"),
        ("aviation", "Hàng không"),
        ("inland_waterway", "Đường thủy nội địa"),
        ("vehicle_registry", "Đăng kiểm"),
        ("railway", "Đường sắt"),
    ]


def test_values_not_published_stay_empty(catalogue):
    no_fee = Procedure.objects.get(code="1.000703")  # fee_vnd null, online level "mức độ 4"
    assert RECORDS["1.000703"]["fee_vnd"] is None
    assert no_fee.fee_vnd is None
    assert no_fee.fee_note == RECORDS["1.000703"]["fee_note"]

    no_level = Procedure.objects.get(code="2.002286")  # online_level null
    assert no_level.service_level == ""
    assert no_level.form_schema == {}
    assert no_level.result_name == ""

    no_unit = Procedure.objects.get(code="1.013092")  # "1" without a unit
    assert no_unit.processing_time is None
    assert "không ghi đơn vị" in no_unit.processing_time_note

    hours = Procedure.objects.get(code="1.004028")  # 2 hours cannot be counted in days
    assert hours.processing_time is None
    assert hours.processing_time_note == "02 giờ (thủ tục điện tử)"


def test_a_fee_schedule_is_kept_as_text_without_an_amount(catalogue):
    procedure = Procedure.objects.get(code="1.013206")
    assert procedure.fee_vnd is None
    assert RECORDS["1.013206"]["fee_vnd"] in procedure.fee_note


def test_published_values_are_copied(catalogue):
    days = Procedure.objects.get(code="1.004317")
    assert (days.processing_time, days.processing_time_unit) == (50, "days")
    assert days.fee_vnd == 40_000_000
    assert days.source_url == RECORDS["1.004317"]["source"]
    assert [doc["number"] for doc in days.legal_basis] == RECORDS["1.004317"]["legal_basis"]


def test_online_level_maps_to_service_level(catalogue):
    assert Procedure.objects.get(code=BADGE).service_level == "full"  # mức độ 4, with a form
    level_3 = Procedure.objects.get(code="1.002674")
    assert level_3.service_level == "partial"
    assert level_3.partial_reason == "Theo danh mục công bố trước đây: mức độ 3"
    assert Procedure.objects.get(code="1.002063").service_level == ""  # "online form observed"


def test_no_full_process_procedure_refuses_online_applications(client, catalogue):
    full = list(Procedure.objects.filter(service_level="full"))

    assert {p.code for p in full} >= {BADGE, AIRCRAFT}
    assert [p.code for p in full if not p.accepts_online] == []
    for procedure in full:
        html = client.get(f"/procedures/{procedure.code}/").content.decode()
        assert "Toàn trình" in html and "Nộp hồ sơ trực tuyến" in html


@pytest.mark.parametrize("code", ["1.000703", "1.002441", "1.002460", "3.000347"])
def test_a_level_4_procedure_without_an_online_form_is_not_labelled_full_process(
    client, catalogue, code
):
    procedure = Procedure.objects.get(code=code)
    html = client.get(f"/procedures/{code}/").content.decode()

    assert "mức độ 4" in RECORDS[code]["online_level"]
    assert procedure.service_level == ""
    assert "chưa có tờ khai trực tuyến" in procedure.notes
    assert "Toàn trình" not in html and "Mức độ chưa công bố" in html
    assert "chưa nhận hồ sơ trực tuyến" in html


def test_procedures_go_to_the_agency_of_their_level(catalogue):
    def agency(code):
        return Procedure.objects.get(code=code).receiving_agency.identifier

    assert agency(BADGE) == "000.00.18.H56"  # provincial Department of Construction
    assert agency(AIRCRAFT) == "000.00.06.G12"  # Civil Aviation Authority
    assert agency(SHIP) == "000.00.05.G12"  # Maritime and Waterways Administration
    assert agency("1.010000") == "000.00.08.G12"  # railway
    assert agency("3.000347") == "000.00.01.G01"  # driving licences moved to the police
    provincial = Agency.objects.get(identifier="000.00.18.H56")
    assert provincial.parent.level == Agency.Level.PROVINCE
    assert Agency.objects.get(identifier="000.00.06.G12").parent.name == "Bộ Xây dựng"


def test_the_three_reference_procedures_are_complete_and_valid(catalogue):
    for code in COMPLETE:
        procedure = Procedure.objects.get(code=code)
        procedure.full_clean()
        assert procedure.accepts_online
        assert procedure.processing_time
        assert procedure.steps and procedure.faq and procedure.result_name
        components = list(procedure.components.all())
        assert len(components) >= 3
        for component in components:
            component.full_clean()
    assert Procedure.objects.filter(form_schema={}).count() == 74


def test_badge_procedure_matches_the_reference(catalogue):
    badge = Procedure.objects.get(code=BADGE)
    assert badge.fee_vnd == 0
    assert (badge.processing_time, badge.processing_time_unit) == (2, "working_days")
    assert badge.service_level == "full"
    assert badge.delivery_options == ["online", "counter", "post"]
    assert badge.legal_basis[0]["number"] == "158/2024/NĐ-CP"
    contract = badge.components.get(requirement="conditional")
    assert contract.condition_field == "vehicles.*.ownership=leased|cooperation"
    assert list(badge.components.values_list("paper_form", flat=True)) == [
        "original",
        "copy",
        "copy",
        "copy",
    ]
    # The badge already issued, for a re-issue: optional, an earlier badge may stand for it.
    issued = badge.components.get(order=4)
    assert (issued.requirement, issued.reusable_results) == ("optional", [BADGE])
    assert badge.receiving_agency.payment_gateway == "paygov"


def _badge_data(**vehicle):
    return {
        "operator": {
            "name": "Công ty TNHH Vận tải Hương Giang",
            "type": "enterprise",
            "tax_code": "3300123456",
            "address": "25 Hùng Vương, phường Thuận Hóa, thành phố Huế",
            "phone": "0905123456",
            "representative": "Trần Văn Bình",
            "business_registration_no": "3300123456",
            "business_registration_issuer": "Sở Tài chính thành phố Huế",
            "business_registration_date": "2019-05-20",
            "licence_no": "46-01234",
            "licence_date": "2020-01-10",
            "licence_issuer": "Sở Giao thông vận tải Thừa Thiên Huế",
            "permitted_types": ["contract", "goods"],
        },
        "request": {"kind": "new", "badge_type": "contract", "badges_requested": 1},
        "vehicles": [
            {
                "plate": "75B-012.34",
                "chassis_no": "RLUS1234567890123",
                "engine_no": "D4CB123456",
                "vehicle_class": "Ô tô khách",
                "brand": "Hyundai",
                "year_of_manufacture": 2022,
                "seats": 29,
                "ownership": "owned",
                **vehicle,
            }
        ],
    }


def test_badge_form_accepts_a_complete_application(catalogue):
    badge = Procedure.objects.get(code=BADGE)
    assert validate_form(badge.form_schema, badge.form_ui, _badge_data()) == {}


def test_badge_form_explains_a_wrong_plate(catalogue):
    badge = Procedure.objects.get(code=BADGE)
    errors = validate_form(badge.form_schema, badge.form_ui, _badge_data(plate="75b 01234"))
    assert errors == {"vehicles.0.plate": ["Nhập biển số xe theo dạng 51A-123.45"]}


def test_badge_form_requires_the_contract_of_a_leased_vehicle(catalogue):
    badge = Procedure.objects.get(code=BADGE)
    errors = validate_form(badge.form_schema, badge.form_ui, _badge_data(ownership="leased"))
    assert set(errors) == {
        "vehicles.0.contract_no",
        "vehicles.0.contract_from",
        "vehicles.0.contract_to",
    }


def test_badge_form_requires_seats_for_passenger_badges(catalogue):
    badge = Procedure.objects.get(code=BADGE)
    data = _badge_data()
    del data["vehicles"][0]["seats"]
    assert set(validate_form(badge.form_schema, badge.form_ui, data)) == {"vehicles.0.seats"}


def test_badge_form_prefills_the_operator_from_the_profile(catalogue):
    badge = Procedure.objects.get(code=BADGE)
    company = UserFactory(
        kind="organisation",
        organisation_name="Công ty TNHH Vận tải Hương Giang",
        tax_code="3300123456",
        representative="Trần Văn Bình",
        address="25 Hùng Vương",
    )
    data, sources = prefill(badge.form_schema, badge.form_ui, company)
    assert data["operator"]["tax_code"] == "3300123456"
    assert data["operator"]["name"] == "Công ty TNHH Vận tải Hương Giang"
    assert sources["operator.representative"] == "profile.representative"


def test_ship_and_aircraft_fees_stay_as_published_text(catalogue):
    ship = Procedure.objects.get(code=SHIP)
    aircraft = Procedure.objects.get(code=AIRCRAFT)
    assert ship.fee_vnd is None and "3.000 đồng/GT" in ship.fee_note
    assert aircraft.fee_vnd is None and "4.500.000 đồng" in aircraft.fee_note
    assert ship.service_level == "partial" and ship.partial_reason


def test_aircraft_form_checks_the_registration_mark(catalogue):
    aircraft = Procedure.objects.get(code=AIRCRAFT)
    errors = validate_form(
        aircraft.form_schema, aircraft.form_ui, {"aircraft": {"proposed_mark": "A321"}}
    )
    assert errors["aircraft.proposed_mark"] == ["Nhập dấu hiệu đăng ký theo dạng VN-A123"]


def test_badge_form_requires_a_transport_licence_except_for_internal_badges(catalogue):
    badge = Procedure.objects.get(code=BADGE)
    data = _badge_data()
    for key in ("licence_no", "licence_date", "licence_issuer"):
        del data["operator"][key]

    contract = validate_form(badge.form_schema, badge.form_ui, data)
    data["request"]["badge_type"] = "internal"
    internal = validate_form(badge.form_schema, badge.form_ui, data)
    operator_only = validate_form(badge.form_schema, badge.form_ui, {"operator": data["operator"]})

    assert set(contract) == {
        "operator.licence_no",
        "operator.licence_date",
        "operator.licence_issuer",
    }
    assert internal == {}
    assert not any(path.startswith("operator.") for path in operator_only)
