import io
import threading
from datetime import date
from unittest import mock

import pytest
from django.db import connection
from openpyxl import load_workbook

from motcua.accounts.models import Unit
from motcua.documents.models import TrackingBookEntry
from motcua.documents.services import (
    BOOK_HEADERS,
    register_in_tracking_book,
    tracking_book_pdf,
    tracking_book_rows,
    tracking_book_xlsx,
)
from motcua.documents.tests.conftest import local, make_dossier
from motcua.documents.tests.helpers import A4_LANDSCAPE, page_size, pdf_text, same_size
from motcua.dossiers.models import DossierEvent
from motcua.factories import UnitFactory, UserFactory


def accepted(procedure, applicant, n, *, year=2026, **fields):
    return make_dossier(
        procedure,
        applicant,
        code=f"000.00.18.H56-{year % 100}1123-{n:04d}",
        accepted_at=local(year, 11, 23, 8, n % 50),
        due_at=local(year, 11, 25, 16, 30),
        **fields,
    )


def test_numbers_are_continuous_per_desk_and_year(hue_procedure, applicant, desk, agency):
    other_desk = UnitFactory(
        agency=agency, code="mot-cua-2", name="Điểm tiếp nhận số 2", kind=Unit.Kind.DESK
    )
    entries = [
        register_in_tracking_book(accepted(hue_procedure, applicant, n), desk) for n in (1, 2, 3)
    ]
    assert [e.number for e in entries] == [1, 2, 3]
    assert {e.year for e in entries} == {2026}
    assert register_in_tracking_book(accepted(hue_procedure, applicant, 4), other_desk).number == 1
    next_year = register_in_tracking_book(accepted(hue_procedure, applicant, 5, year=2027), desk)
    assert (next_year.year, next_year.number) == (2027, 1)
    assert register_in_tracking_book(accepted(hue_procedure, applicant, 6), desk).number == 4


def test_registering_twice_keeps_the_first_line_and_its_number(
    dossier, desk, hue_procedure, applicant
):
    first = register_in_tracking_book(dossier, desk)
    assert register_in_tracking_book(dossier, desk) == first
    assert TrackingBookEntry.objects.count() == 1
    assert register_in_tracking_book(accepted(hue_procedure, applicant, 9), desk).number == 2


@pytest.fixture
def book(hue_procedure, applicant, desk, specialist_unit, officer):
    """Three dossiers in the 2026 book: returned, processing (transferred), just accepted."""
    returned = accepted(
        hue_procedure,
        applicant,
        1,
        finished_at=local(2026, 11, 24, 15),
        returned_at=local(2026, 11, 26, 9),
        extension_count=1,
    )
    processing = accepted(hue_procedure, UserFactory(full_name="Trần Thị Bình"), 2)
    fresh = accepted(hue_procedure, applicant, 3)
    for dossier in (returned, processing, fresh):
        register_in_tracking_book(dossier, desk)
    for dossier, day in ((returned, 23), (processing, 24)):
        with mock.patch("django.utils.timezone.now", return_value=local(2026, 11, day, 23, 30)):
            DossierEvent.objects.create(
                dossier=dossier,
                actor=officer,
                action="forward",
                from_unit_name=desk.name,
                to_unit_name=specialist_unit.name,
            )
    return returned, processing, fresh


def test_rows_read_in_one_query(book, desk, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = tracking_book_rows(desk, 2026)
    assert [r.number for r in rows] == [1, 2, 3]
    returned, processing, fresh = rows
    assert returned.code == "000.00.18.H56-261123-0001"
    assert returned.applicant == "Nguyễn Văn Ánh"
    assert returned.address_phone == "12 Đường Lê Lợi, phường Thuận Hóa, thành phố Huế, 0905123456"
    assert returned.procedure == "Cấp phù hiệu xe ô tô kinh doanh vận tải"
    assert returned.handling_agency == "Sở Xây dựng thành phố Huế"
    assert returned.transferred_at == local(2026, 11, 23, 23, 30)
    assert returned.result_back_at == local(2026, 11, 24, 15)
    assert returned.returned_at == local(2026, 11, 26, 9)
    assert "hẹn lại" in returned.notes and "quá hạn" in returned.notes
    assert processing.applicant == "Trần Thị Bình" and processing.returned_at is None
    assert fresh.transferred_at is None
    assert tracking_book_rows(desk, 2025) == []


def test_xlsx_has_the_headers_and_a_row_per_dossier_with_real_dates(book, desk):
    sheet = load_workbook(io.BytesIO(tracking_book_xlsx(desk, 2026))).active
    assert "SỔ THEO DÕI HỒ SƠ" in sheet["A1"].value
    assert [c.value for c in sheet[3]] == [header for header, _ in BOOK_HEADERS]
    rows = list(sheet.iter_rows(min_row=4, values_only=False))
    assert len(rows) == 3
    first = rows[0]
    assert [c.value for c in first[:5]] == [
        1,
        "000.00.18.H56-261123-0001",
        "Cấp phù hiệu xe ô tô kinh doanh vận tải",
        1,
        "Nguyễn Văn Ánh",
    ]
    received, due, transferred, back, returned = first[7:12]
    assert received.is_date and received.number_format == "dd/mm/yyyy"
    assert received.value.date() == date(2026, 11, 23)
    # 23:30 in Huế is still the 23rd although it is the 23rd 16:30 UTC.
    assert transferred.value.date() == date(2026, 11, 23)
    assert due.value.date() == date(2026, 11, 25) and returned.value.date() == date(2026, 11, 26)
    assert back.value.date() == date(2026, 11, 24)
    assert rows[2][9].value is None


def test_xlsx_keeps_a_formula_looking_name_as_text(hue_procedure, desk):
    tricky = UserFactory(full_name='=HYPERLINK("http://evil.example","x")')
    register_in_tracking_book(accepted(hue_procedure, tricky, 1), desk)
    sheet = load_workbook(io.BytesIO(tracking_book_xlsx(desk, 2026))).active
    cell = sheet.cell(row=4, column=5)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_pdf_is_a4_landscape_with_the_rows(book, desk):
    data = tracking_book_pdf(desk, 2026)
    assert same_size(page_size(data), A4_LANDSCAPE)
    text = pdf_text(data)
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Năm 2026" in text
    assert "000.00.18.H56-261123-0001" in text and "Trần Thị Bình" in text
    assert "23/11/2026" in text


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
def test_parallel_registrations_get_unique_gapless_numbers(hue_procedure, applicant, desk):
    dossiers = [accepted(hue_procedure, applicant, n) for n in range(1, 11)]
    barrier = threading.Barrier(len(dossiers))
    errors = []

    def run(dossier):
        try:
            barrier.wait()
            register_in_tracking_book(dossier, desk)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(d,)) for d in dossiers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(TrackingBookEntry.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 11))
