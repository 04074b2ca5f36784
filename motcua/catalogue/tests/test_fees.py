"""Fees computed from the form: each kind, band edges, minimum, waivers, exemptions."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from motcua.catalogue.fees import compute, describe, schedule_problems

SHIP = {
    "kind": "table",
    "label": "Lệ phí đăng ký tàu biển",
    "field": "ship.gross_tonnage",
    "unit": "GT",
    "bands": [
        {"below": 500, "rate": 3000, "minimum": 300000},
        {"from": 500, "below": 1600, "rate": 2500},
        {"from": 1600, "below": 3000, "rate": 2000},
        {"from": 3000, "rate": 1500},
    ],
}
AIRCRAFT = {
    "kind": "table",
    "field": "aircraft.mtow_kg",
    "unit": "kg",
    "bands": [{"below": 5700, "amount": 1500000}, {"from": 5700, "amount": 4500000}],
    "waivers": [
        {"from": "2026-04-07", "to": "2026-06-30", "legal_basis": "Thông tư 40/2026/TT-BTC"}
    ],
}
DAY = date(2026, 3, 1)


def ship(gt):
    return compute(SHIP, {"ship": {"gross_tonnage": gt}}, on=DAY).amount


@pytest.mark.parametrize(
    ("gross_tonnage", "amount"),
    [
        (50, 300_000),  # 150.000 by the rate, raised to the minimum
        (100, 300_000),
        (120, 360_000),
        (499, 1_497_000),
        (499.5, 1_498_500),
        (500, 1_250_000),  # 500 is in the second band
        (1599, 3_997_500),
        (1600, 3_200_000),
        (2999, 5_998_000),
        (3000, 4_500_000),
        (12345.6, 18_518_400),
    ],
)
def test_ship_registration_fee_follows_the_gross_tonnage_bands(gross_tonnage, amount):
    assert ship(gross_tonnage) == amount


def test_the_minimum_is_shown_as_such():
    quote = compute(SHIP, {"ship": {"gross_tonnage": 50}}, on=DAY)
    assert "tối thiểu" in quote.note and quote.lines[0]["amount"] == 300_000


def test_aircraft_fee_by_take_off_mass_edges():
    def fee(kg, on=DAY):
        return compute(AIRCRAFT, {"aircraft": {"mtow_kg": kg}}, on=on)

    assert fee(5699).amount == 1_500_000
    assert fee(5700).amount == 4_500_000


@pytest.mark.parametrize(
    ("day", "amount"),
    [
        (date(2026, 4, 6), 4_500_000),
        (date(2026, 4, 7), 0),
        (date(2026, 6, 30), 0),
        (date(2026, 7, 1), 4_500_000),
    ],
)
def test_time_limited_waiver_applies_on_both_end_days_only(day, amount):
    quote = compute(AIRCRAFT, {"aircraft": {"mtow_kg": 70000}}, on=day)
    assert quote.amount == amount
    if amount == 0:
        assert quote.waived and "Thông tư 40/2026/TT-BTC" in quote.note
        assert quote.lines[0]["waived_amount"] == 4_500_000


def test_fixed_zero_and_per_item():
    assert compute({"kind": "fixed", "amount": 190000}, {}, on=DAY).amount == 190_000
    assert compute({"kind": "zero"}, {"x": 1}, on=DAY).amount == 0
    per_vehicle = {"kind": "per_item", "items": "vehicles", "amount": 50000, "item_label": "xe"}
    quote = compute(per_vehicle, {"vehicles": [{}, {}, {}]}, on=DAY)
    assert quote.amount == 150_000 and quote.lines[0]["quantity"] == 3
    assert not compute(per_vehicle, {"vehicles": []}, on=DAY).complete


def test_exemption_by_a_form_condition():
    schedule = {
        **SHIP,
        "exemptions": [
            {"field": "owner.type", "in": ["foreign_org"], "label": "Miễn theo điều ước quốc tế."}
        ],
    }
    exempt = {"owner": {"type": "foreign_org"}, "ship": {"gross_tonnage": 1000}}
    assert compute(schedule, exempt, on=DAY).amount == 0
    assert compute(schedule, exempt, on=DAY).note == "Miễn theo điều ước quốc tế."
    exempt["owner"]["type"] = "enterprise"
    assert compute(schedule, exempt, on=DAY).amount == 2_500_000


def test_a_form_without_the_number_cannot_be_quoted_yet():
    quote = compute(SHIP, {"ship": {}}, on=DAY)
    assert quote.amount == 0 and not quote.complete


def test_schedule_problems_are_explained_in_vietnamese():
    assert schedule_problems({"kind": "fixed"}) == ["Biểu phí: thiếu “amount” tại gốc."]
    assert "kind" in schedule_problems({"kind": "percent"})[0]
    overlapping = {**SHIP, "bands": [{"below": 600, "rate": 1}, {"from": 500, "rate": 2}]}
    assert any("chồng" in p for p in schedule_problems(overlapping))
    both = {**SHIP, "bands": [{"rate": 1, "amount": 2}]}
    assert any("rate" in p and "amount" in p for p in schedule_problems(both))
    backwards = {
        "kind": "zero",
        "waivers": [{"from": "2026-06-30", "to": "2026-04-07", "legal_basis": "x"}],
    }
    assert any("trước ngày bắt đầu" in p for p in schedule_problems(backwards))
    form = {
        "type": "object",
        "properties": {"ship": {"type": "object", "title": "Tàu", "properties": {}}},
    }
    assert schedule_problems(SHIP, form) == [
        "Biểu phí nói đến trường không có trong tờ khai: “ship.gross_tonnage”."
    ]


def test_the_procedure_refuses_a_bad_schedule(procedure):
    procedure.fee_schedule = {"kind": "per_item", "items": "applicant", "amount": 10000}
    with pytest.raises(ValidationError) as caught:
        procedure.full_clean()
    assert "danh sách lặp lại" in str(caught.value.message_dict["fee_schedule"])
    procedure.fee_schedule = {"kind": "per_item", "items": "vehicles", "amount": 10000}
    procedure.full_clean()


def test_the_schedule_reads_as_sentences():
    lines = describe(SHIP)
    assert (
        lines[0] == "Lệ phí đăng ký tàu biển dưới 500 GT: 3.000 đồng/GT (tối thiểu 300.000 đồng)."
    )
    assert lines[-1] == "Lệ phí đăng ký tàu biển từ 3000 GT trở lên: 1.500 đồng/GT."
