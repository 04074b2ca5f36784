import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.catalogue import selectors
from motcua.catalogue.models import Procedure
from motcua.catalogue.tests.conftest import AIRCRAFT, BADGE, COMPLETE, SHIP
from motcua.factories import UserFactory

pytestmark = pytest.mark.django_db


def _codes_on_page(response) -> set[str]:
    return {p.code for p in response.context["page"].object_list}


@pytest.mark.parametrize("code", COMPLETE)
def test_reference_procedure_page_lists_components_and_offers_online_submission(
    client, catalogue, code
):
    response = client.get(f"/procedures/{code}/")

    assert response.status_code == 200
    html = response.content.decode()
    for component in Procedure.objects.get(code=code).components.all():
        assert component.name in html
    assert "Nộp hồ sơ trực tuyến" in html
    assert "Câu hỏi thường gặp" in html


def test_badge_page_shows_it_is_free_and_takes_two_working_days(client, catalogue):
    html = client.get(f"/procedures/{BADGE}/").content.decode()

    assert "Miễn phí" in html
    assert "2 ngày làm việc" in html
    assert "158/2024/NĐ-CP — Nghị định quy định về hoạt động vận tải đường bộ" in html
    assert "Sở Xây dựng thành phố Huế" in html


def test_fee_charging_reference_procedures_show_the_published_schedule(client, catalogue):
    assert "3.000 đồng/GT" in client.get(f"/procedures/{SHIP}/").content.decode()
    assert "4.500.000 đồng" in client.get(f"/procedures/{AIRCRAFT}/").content.decode()


def test_imported_procedure_without_form_is_shown_as_not_published(client, catalogue):
    html = client.get("/procedures/2.002287/").content.decode()  # fee null, level null

    assert "Chưa công bố" in html
    assert "Mức độ chưa công bố" in html
    assert "Nộp hồ sơ trực tuyến" not in html
    assert "chưa nhận hồ sơ trực tuyến" in html


@pytest.mark.parametrize("query", ["cap phu hieu", "CẤP PHÙ HIỆU", "cấp phù hiệu", "Cap Phu Hieu"])
def test_search_ignores_accents_and_case(client, catalogue, query):
    expected = [p.code for p in selectors.search_procedures(q="cấp phù hiệu")]

    assert expected[0] == BADGE
    assert [p.code for p in selectors.search_procedures(q=query)] == expected
    page = client.get("/procedures/", {"q": query}).context["page"].object_list
    assert [p.code for p in page] == expected[:20]


def test_search_finds_a_procedure_by_code(client, catalogue):
    assert _codes_on_page(client.get("/procedures/", {"q": AIRCRAFT})) == {AIRCRAFT}


def test_filter_by_sector(client, catalogue):
    codes = _codes_on_page(client.get("/procedures/", {"sector": "aviation"}))

    assert AIRCRAFT in codes
    assert len(codes) == 14
    assert codes == set(
        Procedure.objects.filter(sector__code="aviation").values_list("code", flat=True)
    )


def test_filter_by_agency_includes_its_subordinate_agencies(client, catalogue):
    department = client.get("/procedures/", {"agency": "000.00.18.H56"})
    province = selectors.search_procedures(agency="000.00.00.H56")

    assert BADGE in _codes_on_page(department)
    assert SHIP not in _codes_on_page(department)
    assert {p.code for p in province} >= _codes_on_page(department)


def test_filter_by_service_level(client, catalogue):
    full = _codes_on_page(client.get("/procedures/", {"level": "full"}))
    partial = {p.code for p in selectors.search_procedures(level="partial")}
    unpublished = selectors.search_procedures(level="unpublished")

    assert BADGE in full and AIRCRAFT in full
    assert SHIP in partial
    assert all(p.service_level == "" for p in unpublished)
    assert len(full) + len(partial) + unpublished.count() == 78


def test_filter_by_applicant_type_keeps_procedures_open_to_both(client, catalogue):
    Procedure.objects.filter(code="1.000703").update(applicant_type="organisation")

    organisations = {p.code for p in selectors.search_procedures(applicant="organisation")}
    citizens = _codes_on_page(client.get("/procedures/", {"applicant": "citizen", "q": "1.000703"}))

    assert "1.000703" in organisations and BADGE in organisations
    assert citizens == set()


def test_filters_combine(client, catalogue):
    codes = _codes_on_page(
        client.get("/procedures/", {"q": "dang ky", "sector": "maritime", "level": "partial"})
    )
    assert SHIP in codes
    assert all(code.startswith("1.") for code in codes)


def test_list_page_query_count_does_not_grow_with_results(client, catalogue):
    def count(params):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/procedures/", params)
        assert response.status_code == 200
        return len(queries), len(response.context["page"].object_list)

    one, shown_one = count({"q": BADGE})
    many, shown_many = count({})

    assert (shown_one, shown_many) == (1, 20)
    assert one == many
    assert many <= 8


def test_list_page_stays_within_its_query_budget(client, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get("/procedures/", {"sector": "road", "page": 2})


@pytest.mark.parametrize("code", COMPLETE)
def test_reference_forms_render_in_the_online_application(client, catalogue, code):
    client.force_login(UserFactory(kind="organisation", organisation_name="Công ty Vận tải A"))
    procedure = Procedure.objects.get(code=code)

    start = client.post(f"/procedures/{code}/start/", {"token": str(uuid.uuid4())})

    assert start.status_code == 302
    for name, section in procedure.form_schema["properties"].items():
        page = client.get(f"{start['Location']}form/{name}/")
        assert page.status_code == 200
        assert section["title"] in page.content.decode()
