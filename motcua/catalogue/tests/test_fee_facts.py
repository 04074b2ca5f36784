"""The fee on a procedure's card and page come from the same facts; an ended waiver says so."""

from datetime import date

import pytest

from motcua.catalogue.fees import compute, describe, summary
from motcua.catalogue.models import Procedure
from motcua.catalogue.tests.conftest import AIRCRAFT, BADGE, SEAFARER, SHIP
from motcua.catalogue.tests.test_fees import AIRCRAFT as AIRCRAFT_SCHEDULE
from motcua.catalogue.tests.test_fees import SHIP as SHIP_SCHEDULE


def _card(html: str, code: str) -> str:
    start = html.index(f'href="/procedures/{code}/"')
    return html[start : html.index("</li>", start)]


@pytest.mark.django_db
def test_cards_show_the_fee_of_the_schedule_the_page_shows(client, catalogue):
    html = client.get("/procedures/", {"q": "dang ky tau bien"}).content.decode()

    assert Procedure.objects.get(code=SHIP).fee_vnd is None  # a schedule, not one amount
    assert "Phí: từ 300.000 ₫" in _card(html, SHIP)
    assert "Chưa công bố" not in _card(html, SHIP)
    assert "3.000 đồng/GT" in client.get(f"/procedures/{SHIP}/").content.decode()


@pytest.mark.django_db
def test_cards_of_free_fixed_and_unpublished_fees(client, catalogue):
    assert "Phí: Miễn phí" in _card(
        client.get("/procedures/", {"q": BADGE}).content.decode(), BADGE
    )
    seafarer = client.get("/procedures/", {"q": SEAFARER}).content.decode()
    assert "Phí: 190.000 ₫" in _card(seafarer, SEAFARER)
    unpublished = client.get("/procedures/", {"q": "2.002287"}).content.decode()
    assert "Phí: Chưa công bố" in _card(unpublished, "2.002287")


@pytest.mark.django_db
def test_an_ended_waiver_is_shown_as_ended_on_the_page_and_the_card(client, catalogue):
    page = client.get(f"/procedures/{AIRCRAFT}/").content.decode()  # waiver 07/4–30/6/2026
    card = _card(client.get("/procedures/", {"q": AIRCRAFT}).content.decode(), AIRCRAFT)

    assert "Miễn lệ phí từ 07/4/2026 đến 30/6/2026" in page
    assert "Đã hết hiệu lực từ 01/07/2026" in page
    assert "Phí: từ 1.500.000 ₫" in card


def test_a_waiver_is_described_plainly_while_it_runs_and_as_ended_after():
    running = describe(AIRCRAFT_SCHEDULE, on=date(2026, 6, 30))
    ended = describe(AIRCRAFT_SCHEDULE, on=date(2026, 7, 1))

    assert running[-1] == "Miễn từ 07/04/2026 đến 30/06/2026 theo Thông tư 40/2026/TT-BTC."
    assert ended[-1] == running[-1] + " (Đã hết hiệu lực từ 01/07/2026.)"


def test_an_ended_waiver_is_not_applied_to_the_fee():
    data = {"aircraft": {"mtow_kg": 6000}}

    assert compute(AIRCRAFT_SCHEDULE, data, on=date(2026, 6, 30)).amount == 0
    assert compute(AIRCRAFT_SCHEDULE, data, on=date(2026, 7, 1)).amount == 4_500_000


@pytest.mark.parametrize(
    ("schedule", "fee_vnd", "day", "expected"),
    [
        ({}, None, date(2026, 1, 1), "Chưa công bố"),
        ({}, 0, date(2026, 1, 1), "Miễn phí"),
        ({}, 135000, date(2026, 1, 1), "135.000 ₫"),
        ({"kind": "zero"}, None, date(2026, 1, 1), "Miễn phí"),
        ({"kind": "fixed", "amount": 190000}, 190000, date(2026, 1, 1), "190.000 ₫"),
        (
            {"kind": "per_item", "items": "vehicles", "amount": 50000, "item_label": "xe"},
            None,
            date(2026, 1, 1),
            "50.000 ₫/xe",
        ),
        (SHIP_SCHEDULE, None, date(2026, 1, 1), "từ 300.000 ₫"),
        (AIRCRAFT_SCHEDULE, None, date(2026, 4, 7), "Miễn phí đến 30/06/2026"),
        (AIRCRAFT_SCHEDULE, None, date(2026, 7, 1), "từ 1.500.000 ₫"),
        (
            {"kind": "table", "field": "x", "bands": [{"rate": 1000}]},
            None,
            date(2026, 1, 1),
            "theo biểu phí",
        ),
    ],
)
def test_the_card_summary_of_each_kind_of_fee(schedule, fee_vnd, day, expected):
    assert summary(schedule, fee_vnd, on=day) == expected
