"""The public search ranks by relevance and also matches sectors and agencies (decision 0051)."""

import pytest

from motcua.catalogue import selectors
from motcua.catalogue.models import Procedure
from motcua.core.text import fold

pytestmark = pytest.mark.django_db

DRIVING_LICENCE_RENEWAL = "3.000348"  # "Cấp lại giấy phép lái xe"


def _codes(query: str, **filters) -> list[str]:
    return [p.code for p in selectors.search_procedures(q=query, **filters)]


def _codes_on_page(response) -> list[str]:
    return [p.code for p in response.context["page"].object_list]


def test_the_procedure_named_by_the_words_comes_first(client, catalogue):
    response = client.get("/procedures/", {"q": "cap lai giay phep lai xe"})

    codes = _codes_on_page(response)
    assert codes[0] == DRIVING_LICENCE_RENEWAL
    assert response.content.decode().index(
        "Cấp lại giấy phép lái xe"
    ) < response.content.decode().index("Cấp bổ sung xe tập lái")


def test_accents_and_đ_do_not_change_the_order(catalogue):
    plain = _codes("cap lai giay phep lai xe")

    assert _codes("CẤP LẠI GIẤY PHÉP LÁI XE") == plain
    assert _codes("dang ky tau bien")[:3] == _codes("Đăng ký tàu biển")[:3]


def test_procedures_with_every_word_in_the_name_come_before_partial_matches(catalogue):
    words = {"giay", "phep", "lai", "tau"}
    results = list(selectors.search_procedures(q="giay phep lai tau"))
    every_word = {p.code for p in Procedure.objects.all() if words <= set(fold(p.name).split())}

    assert results[0].code == "1.003897"  # "Cấp lại Giấy phép lái tàu"
    assert [p.search_rank for p in results] == sorted(p.search_rank for p in results)
    assert {p.code for p in results[: len(every_word)]} == every_word
    assert any(p.search_rank == 4 for p in results)  # "giấy phép" alone still shows, later


def test_a_sector_name_finds_its_procedures(client, catalogue):
    railway = set(Procedure.objects.filter(sector__code="railway").values_list("code", flat=True))

    results = list(selectors.search_procedures(q="duong sat"))
    first = [p for p in results if p.search_rank <= 2]  # the phrase, in a name or the sector

    assert len(railway) == 7
    assert {p.code for p in first} >= railway
    assert all(p.sector.code == "railway" or "đường sắt" in p.name for p in first)
    assert results[: len(first)] == first


def test_an_agency_name_finds_its_procedures(catalogue):
    police = set(
        Procedure.objects.filter(agency__name="Cục Cảnh sát giao thông").values_list(
            "code", flat=True
        )
    )

    found = _codes("cuc canh sat giao thong")

    assert DRIVING_LICENCE_RENEWAL in police
    assert set(found[: len(police)]) == police


def test_words_found_nowhere_find_nothing(client, catalogue):
    response = client.get("/procedures/", {"q": "zzqx wwkj"})

    assert response.status_code == 200
    assert _codes_on_page(response) == []


def test_filters_still_narrow_a_ranked_search(catalogue):
    found = _codes("cap lai", sector="railway")

    assert found and all(code in ("1.004844", "1.003897") for code in found[:2])
    assert set(found) <= set(
        Procedure.objects.filter(sector__code="railway").values_list("code", flat=True)
    )
