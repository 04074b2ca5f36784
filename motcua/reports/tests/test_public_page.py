"""The public statistics page (decision 0063): its figures on hand-built facts, worked out
here; the same bytes for everyone at a URL, public caching headers, no cookie; bad query
strings; the English variant."""

import html
from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from motcua.catalogue.models import Agency, Procedure
from motcua.factories import AgencyFactory, ProcedureFactory, SectorFactory, UserFactory
from motcua.reports import indicators as ind
from motcua.reports import public
from motcua.reports.models import DossierFact

pytestmark = pytest.mark.django_db

URL = "/statistics/"
NOVEMBER = "?kind=month&year=2025&number=11"
NBSP = "\u00a0"


def at(month, day):
    return timezone.make_aware(datetime(2025, month, day, 10, 0))


@pytest.fixture
def world(db):
    """A ministry M with two administrations R and A, a province P; three procedures."""
    m = AgencyFactory(name="Bộ Giao thông vận tải", level=Agency.Level.MINISTRY)
    r = AgencyFactory(name="Cục Đường bộ Việt Nam", parent=m)
    a = AgencyFactory(name="Cục Hàng không Việt Nam", parent=m)
    p = AgencyFactory(name="Sở Giao thông vận tải Hà Nội")
    road = SectorFactory(name="Đường bộ")
    air = SectorFactory(name="Hàng không")
    level = Procedure.ServiceLevel
    ProcedureFactory(code="1.001", name="Cấp phù hiệu xe", sector=road, agency=r)
    ProcedureFactory(
        code="1.002", name="Cấp giấy phép bay", sector=air, agency=a, service_level=level.PARTIAL
    )
    ProcedureFactory(
        code="1.003", name="Công nhận sân bay", sector=air, agency=a, service_level=level.NONE
    )
    paths = {"M": f"/{m.pk}/", "R": f"/{m.pk}/{r.pk}/", "A": f"/{m.pk}/{a.pk}/", "P": f"/{p.pk}/"}
    sectors = {"1.001": road.pk, "1.002": air.pk}

    def fact(pk, where, code, channel, received, ended=None, ending="", timeliness="", **f):
        DossierFact.objects.create(
            dossier_id=pk,
            status=4,
            agency_id=int(paths[where].strip("/").split("/")[-1]),
            agency_path=paths[where],
            sector_id=sectors[code],
            procedure_id=pk,
            procedure_code=code,
            channel=channel,
            submitted_at=received,
            received_at=received,
            ended_at=ended,
            ending=ending,
            timeliness=timeliness,
            **f,
        )

    d = Decimal
    fact(
        1, "R", "1.001", "online", at(11, 3), at(11, 10), "returned", "early", processing_days=d(2)
    )
    fact(
        2,
        "R",
        "1.001",
        "online",
        at(11, 4),
        at(11, 14),
        "returned",
        "on_time",
        processing_days=d(4),
    )
    fact(
        3, "R", "1.001", "counter", at(11, 5), at(11, 25), "processed", "late",
        processing_days=d(10), rated=True, rated_negative=True,
    )  # fmt: skip
    fact(4, "A", "1.002", "online", at(11, 6), legal_due_at=at(11, 20))  # overdue at the end
    fact(5, "M", "1.002", "online", at(11, 7), legal_due_at=at(12, 5))  # within its time
    fact(
        6, "P", "1.001", "counter", at(11, 10), at(11, 12), "returned", "on_time",
        processing_days=d("1.5"),
    )  # fmt: skip
    return {"M": m, "R": r, "A": a, "P": p}


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_headline_figures_of_the_nation(client, world):
    response = client.get(URL + NOVEMBER)
    assert response.status_code == 200
    page = text(response)
    # Online: 1, 2, 4, 5 of the six received.
    assert f"66,67{NBSP}%" in page and "4 trên 6 hồ sơ tiếp nhận" in page
    # On time: early 1 + on time 2, 6 + within 5 = 4 of 4 + late 3 + overdue 4 = 6.
    assert "4 trên 6 hồ sơ đã và đang giải quyết" in page
    # Average (2 + 4 + 10 + 1.5) / 4 = 4.375; 90 % of four is the fourth: 10 days.
    assert "4,38 ngày làm việc" in page and "10 ngày làm việc" in page
    # Satisfaction 100 − (2 late of 6: 33.33 + 1 negative of 6: 16.67) = 50.
    assert f"50,00{NBSP}%" in page
    assert "6 tiếp nhận, 4 đã giải quyết" in page
    assert "Kỳ 11/2025 (01/11/2025 – 30/11/2025)" in page


def test_one_row_per_top_level_agency_and_per_procedure(world):
    period = ind.month(year=2025, month=11)
    rows = public.agency_rows(period=period, scope=ind.Scope())
    assert [
        (r.label, r.received, r.resolved, r.online, r.on_time, r.average_days, r.within_days)
        for r in rows
    ] == [
        # M with R and A: 1-5; online 4 of 5; on time 1, 2, 5 of 5; (2 + 4 + 10) / 3.
        ("Bộ Giao thông vận tải", 5, 3, Decimal("80.00"), Decimal("60.00"), Decimal("5.33"), 10),
        ("Sở Giao thông vận tải Hà Nội", 1, 1, Decimal("0.00"), Decimal("100.00"), Decimal("1.50"), 2),
    ]  # fmt: skip
    # M: 100 − (2 late of 5 + 1 negative of 5) = 40.
    assert [r.satisfaction for r in rows] == [Decimal("40.00"), Decimal("100.00")]

    # Under M: R, A, then M's own dossier last.
    rows = public.agency_rows(period=period, scope=ind.Scope(agency_id=world["M"].pk))
    assert [(r.label, r.own, r.received, r.on_time, r.satisfaction) for r in rows] == [
        ("Cục Đường bộ Việt Nam", False, 3, Decimal("66.67"), Decimal("33.34")),
        ("Cục Hàng không Việt Nam", False, 1, Decimal("0.00"), Decimal("0.00")),
        ("Bộ Giao thông vận tải", True, 1, Decimal("100.00"), Decimal("100.00")),
    ]

    rows, count = public.procedure_rows(period=period, scope=ind.Scope())
    assert count == 2
    assert [(r.key, r.label, r.received, r.online, r.on_time, r.satisfaction) for r in rows] == [
        ("1.001", "Cấp phù hiệu xe", 4, Decimal("50.00"), Decimal("75.00"), Decimal("50.00")),
        ("1.002", "Cấp giấy phép bay", 2, Decimal("100.00"), Decimal("50.00"), Decimal("50.00")),
    ]
    rows, count = public.procedure_rows(period=period, scope=ind.Scope(), limit=1)
    assert (len(rows), count) == (1, 2)


def test_every_row_equals_the_indicators_of_its_scope(world):
    """The grouped tables work the rates out as indicators.py does, row by row."""
    period = ind.month(year=2025, month=11)
    scopes = [
        (row, ind.Scope(agency_id=int(row.key)))
        for parent in (None, world["M"].pk)
        for row in public.agency_rows(period=period, scope=ind.Scope(agency_id=parent))
        if not row.own
    ] + [
        (row, ind.Scope(procedure_code=row.key))
        for row in public.procedure_rows(period=period, scope=ind.Scope())[0]
    ]
    assert len(scopes) == 6
    for row, scope in scopes:
        s = ind.summary(period=period, scope=scope)
        assert (
            row.received,
            row.resolved,
            row.online,
            row.on_time,
            row.average_days,
            row.within_days,
            row.satisfaction,
        ) == (
            s["totals"]["received"],
            s["totals"]["resolved"],
            s["online_dossiers"].rate,
            s["on_time"].rate,
            s["average_days"],
            s["within_days"],
            s["satisfaction"].rate,
        ), row.label


def test_the_tables_link_to_a_narrower_filter(client, world):
    page = text(client.get(URL + NOVEMBER))
    m = world["M"].pk
    assert f'href="?kind=month&year=2025&number=11&agency={m}">Bộ Giao thông vận tải</a>' in page
    assert 'href="?kind=month&year=2025&number=11&procedure=1.001">Cấp phù hiệu xe</a>' in page

    page = text(client.get(URL + NOVEMBER + f"&agency={m}"))
    assert page.count("Bộ Giao thông vận tải") >= 2  # the lead and its own row
    assert "Theo đơn vị trực thuộc" in page and "hồ sơ tiếp nhận trực tiếp" in page
    assert f'agency={world["R"].pk}">Cục Đường bộ Việt Nam</a>' in page
    assert "Sở Giao thông vận tải Hà Nội</a>" not in page
    # R and A under M: 4 received online of 5 in the lead.
    assert "4 trên 5 hồ sơ tiếp nhận" in page
    assert 'href="?kind=month&year=2025&number=11">Xem toàn quốc</a>' in page


def test_the_national_status_of_online_services(client, world):
    page = text(client.get(URL + NOVEMBER))
    assert f"2 trên 3 thủ tục đang có hiệu lực được cung cấp trực tuyến (66,67{NBSP}%)" in page
    assert f"trong đó 1 thủ tục toàn trình (33,33{NBSP}%)" in page
    sectors = public.online_services_by_sector()
    assert [(s.label, s.total, s.full, s.partial, s.information) for s in sectors] == [
        ("Đường bộ", 1, 1, 0, 0),
        ("Hàng không", 2, 0, 1, 1),
    ]
    assert f"1 thủ tục (100,00{NBSP}%)" in page and f"1 thủ tục (50,00{NBSP}%)" in page


def test_public_cache_headers_and_no_cookie(client, world, settings):
    client.cookies["sessionid"] = "whatever-a-visitor-sends"
    response = client.get(URL + NOVEMBER)
    assert response["Cache-Control"] == "public, max-age=300"
    assert "cookie" not in response.get("Vary", "").lower()
    assert not response.cookies  # no session, no CSRF cookie
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert response["Content-Language"] == "vi"

    settings.PUBLIC_STATISTICS_MAX_AGE = 60
    response = client.get(URL + "?kind=year&year=2025")
    assert response["Cache-Control"] == "public, max-age=60"


@pytest.mark.parametrize("cached", [True, False])
def test_the_same_bytes_for_everyone(client, world, settings, cached):
    if not cached:
        settings.PUBLIC_STATISTICS_MAX_AGE = 0  # rendered for each request
    anonymous = client.get(URL + NOVEMBER)
    citizen = UserFactory()
    client.force_login(citizen)
    as_citizen = client.get(URL + NOVEMBER)
    client.force_login(UserFactory(kind="officer", email="can.bo@example.vn", is_superuser=True))
    as_officer = client.get(URL + NOVEMBER)
    assert anonymous.content == as_citizen.content == as_officer.content
    for response in (as_citizen, as_officer):
        assert not response.cookies
        assert "cookie" not in response.get("Vary", "").lower()
        assert response["Cache-Control"].startswith("public")
    assert citizen.full_name not in as_citizen.content.decode()


def test_a_burst_is_computed_once(client, world, django_assert_num_queries):
    client.get(URL + NOVEMBER)
    with django_assert_num_queries(0):
        again = client.get(URL + NOVEMBER)
    assert again.status_code == 200 and "4,38 ngày" in text(again)


def test_the_english_page_is_chosen_by_the_url_alone(client, world):
    client.cookies["django_language"] = "vi"
    response = client.get(URL + NOVEMBER + "&lang=en", HTTP_ACCEPT_LANGUAGE="vi")
    page = text(response)
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in page
    assert "<h1>Statistics on administrative procedures</h1>" in page
    # English pages keep the Vietnamese number formats (motcua/formats/en).
    assert f"66,67{NBSP}%" in page and "4,38 working days" in page
    assert "4 of 6 dossiers received" in page and "By agency" in page
    assert 'href="?kind=month&year=2025&number=11" lang="vi" hreflang="vi">Tiếng Việt</a>' in page
    assert "&procedure=1.001&lang=en" in page  # links keep the language
    # A visitor whose browser prefers English still gets Vietnamese without ?lang=en.
    client.cookies["django_language"] = "en"
    page = text(client.get(URL + NOVEMBER, HTTP_ACCEPT_LANGUAGE="en"))
    assert '<html lang="vi">' in page and f"66,67{NBSP}%" in page
    assert 'href="?kind=month&year=2025&number=11&lang=en" lang="en" hreflang="en">English' in page


@pytest.mark.parametrize(
    "query",
    [
        "?year=abc&number=13",
        "?kind=quarter&year=2025&number=7",
        "?kind=bogus",
        "?agency=999999&sector=x&procedure=nope",
        "?kind=range&start=01/12/2025&end=01/11/2025",
        "?kind=range&start=hôm-qua",
        "?year=99999999999999999999",
    ],
)
def test_bad_query_strings_show_the_errors_and_the_default_period(client, world, query):
    response = client.get(URL + query)
    assert response.status_code == 400
    page = text(response)
    assert "Có lỗi cần sửa" in page
    today = timezone.localdate()
    assert f"Kỳ Quý {(today.month + 2) // 3}/{today.year}" in page
    assert response["Cache-Control"] == "public, max-age=300"


def test_unknown_parameters_are_ignored(client, world):
    response = client.get(URL + NOVEMBER + "&utm_source=x")
    assert response.status_code == 200 and "4,38 ngày" in text(response)


def test_a_client_computing_too_many_pages_waits(client, world, settings):
    settings.PUBLIC_STATISTICS_MISSES_PER_MINUTE = 2
    assert client.get(URL + "?kind=year&year=2024").status_code == 200
    assert client.get(URL + "?kind=year&year=2025").status_code == 200
    refused = client.get(URL + "?kind=year&year=2023")
    assert refused.status_code == 429 and refused["Cache-Control"] == "no-store"
    assert "thử lại sau" in text(refused)
    # A page already computed is served from the cache.
    assert client.get(URL + "?kind=year&year=2025").status_code == 200


def test_links_to_the_page(client, world):
    home = text(client.get("/"))
    assert '<a href="/statistics/">Thống kê</a>' in home
    page = text(client.get("/procedures/1.001/"))
    assert '<a href="/statistics/?procedure=1.001">Số liệu thống kê của thủ tục này</a>' in page


def test_no_post(client, world):
    assert client.post(URL).status_code == 405


def test_within_days_rounds_up_to_whole_days(world):
    """1.5 working days is within 2 days, not 1 (the Decimal floor division gave 1)."""
    period = ind.month(year=2025, month=11)
    assert ind.within_days(period=period, scope=ind.Scope(agency_id=world["P"].pk)) == 2
    # 90 % of [2, 4, 10]: the third.
    assert ind.within_days(period=period, scope=ind.Scope(agency_id=world["R"].pk)) == 10
    assert ind.within_days(period=period, scope=ind.Scope(agency_id=world["R"].pk), share=50) == 4
