import hashlib
import json
import re
from pathlib import Path
from unittest import mock

import pytest
from django.utils import timezone

from motcua.documents.context import EARLY, LATE, ON_TIME, control_sheet_rows
from motcua.documents.models import IssuedDocument
from motcua.documents.services import (
    allocate_number,
    control_sheet_pdf,
    issue_document,
    register_in_tracking_book,
)
from motcua.documents.tests.conftest import local, make_dossier
from motcua.documents.tests.helpers import A4, A5, page_count, page_size, pdf_text, same_size
from motcua.dossiers.models import DossierEvent
from motcua.factories import AgencyFactory, ProcedureFactory, UserFactory

CODE = "000.00.18.H56-261123-0001"
SUPPLEMENT = {
    "items": [
        {"component": "Giấy đăng ký xe ô tô", "reason": "Bản sao mờ, không đọc được số khung"},
        {"component": "Giấy đề nghị cấp phù hiệu", "reason": "Thiếu chữ ký người đề nghị"},
    ],
    "note": "Nộp bản sao có chứng thực",
    "contact": "Lê Văn Cường",
}
APOLOGY = {
    "reason": "Chờ ý kiến của Cục Đường bộ Việt Nam",
    "new_due_at": "2026-11-30T16:30:00+07:00",
    "old_due_at": "2026-11-25T16:30:00+07:00",
}


def issue(dossier, officer, kind, data=None, **options):
    return issue_document(dossier=dossier, kind=kind, actor=officer, data=data, **options)


def pdf_bytes(document) -> bytes:
    with document.pdf.open("rb") as file:
        return file.read()


def test_receipt_prints_the_dossier_the_applicant_the_times_and_the_components(
    dossier, officer, desk
):
    register_in_tracking_book(dossier, desk)
    text = pdf_text(pdf_bytes(issue(dossier, officer, "receipt")))
    year = timezone.localdate().year
    assert "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc" in text
    assert "SỞ XÂY DỰNG THÀNH PHỐ HUẾ" in text
    assert f"Số: 1/{year}" in text and "Huế, ngày" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert f"Mã hồ sơ: {CODE}" in text
    assert "Nguyễn Văn Ánh" in text
    assert "12 Đường Lê Lợi, phường Thuận Hóa" in text
    assert "0905123456" in text and "anh@example.vn" in text
    assert "Cấp phù hiệu xe ô tô kinh doanh vận tải" in text
    assert "Giấy đề nghị cấp phù hiệu Bản chính 1 1" in text
    assert "Giấy đăng ký xe ô tô Bản sao 2 2" in text
    assert "Hợp đồng thuê xe" not in text  # conditional, nothing attached
    assert "Số lượng hồ sơ: 01 bộ" in text
    assert "2 ngày làm việc" in text
    # Stored in UTC, printed in Vietnam's time.
    assert "Thời gian nhận hồ sơ: 08:30 23/11/2026" in text
    assert "Thời gian trả kết quả giải quyết hồ sơ: 16:30 25/11/2026" in text
    assert f"{desk.name}, Sở Xây dựng thành phố Huế, Số 1 Lê Lợi" in text
    assert "số thứ tự: 1" in text
    assert "Trần Thị Bích" in text


def test_receipt_names_online_and_postal_delivery(hue_procedure, applicant, officer):
    online = make_dossier(
        hue_procedure,
        applicant,
        code="X-1",
        accepted_at=local(2026, 11, 23, 9),
        due_at=local(2026, 11, 25, 9),
        delivery_method="online",
    )
    post = make_dossier(
        hue_procedure,
        applicant,
        code="X-2",
        accepted_at=local(2026, 11, 23, 9),
        due_at=local(2026, 11, 25, 9),
        delivery_method="post",
        postal_address="45 Trần Hưng Đạo, phường Phú Hội, Huế",
    )
    assert "Trực tuyến" in pdf_text(pdf_bytes(issue(online, officer, "receipt")))
    text = pdf_text(pdf_bytes(issue(post, officer, "receipt")))
    assert "bưu chính" in text and "45 Trần Hưng Đạo, phường Phú Hội" in text


def test_issued_document_is_kept_as_issued(dossier, officer):
    event = DossierEvent.objects.create(dossier=dossier, actor=officer, action="accept")
    document = issue(dossier, officer, "receipt", event=event)
    document.refresh_from_db()
    data = pdf_bytes(document)
    assert data.startswith(b"%PDF")
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert re.fullmatch(r"documents/\d{4}/\d{2}/[0-9a-f-]{36}\.pdf", document.pdf.name)
    assert re.fullmatch(r"\d+/\d{4}", document.number)
    assert CODE in document.html and "Nguyễn Văn Ánh" in document.html
    assert document.kind == IssuedDocument.Kind.RECEIPT
    assert document.event == event and document.issued_by == officer
    assert list(dossier.documents.all()) == [document]
    with pytest.raises(PermissionError):
        document.save()


def test_supplement_request_lists_each_component_with_its_reason(dossier, officer):
    text = pdf_text(pdf_bytes(issue(dossier, officer, "supplement", SUPPLEMENT)))
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert CODE in text and "Nguyễn Văn Ánh" in text
    assert "Giấy đăng ký xe ô tô Bản sao mờ, không đọc được số khung" in text
    assert "Giấy đề nghị cấp phù hiệu Thiếu chữ ký người đề nghị" in text
    assert "Nộp bản sao có chứng thực" in text
    assert "liên hệ Lê Văn Cường" in text and "0234 3822 222" in text


def test_refusal_gives_the_reasons(dossier, officer):
    document = issue(
        dossier, officer, "refusal", {"reasons": ["Không thuộc thẩm quyền", "Hồ sơ giả mạo"]}
    )
    text = pdf_text(pdf_bytes(document))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Nguyễn Văn Ánh" in text and CODE in text
    assert "– Không thuộc thẩm quyền – Hồ sơ giả mạo" in text


def test_refusal_accepts_the_reasons_as_one_text(dossier, officer):
    text = pdf_text(pdf_bytes(issue(dossier, officer, "refusal", {"reasons": "Sai thẩm quyền"})))
    assert "– Sai thẩm quyền" in text


def test_apology_gives_the_reason_and_both_due_dates(dossier, officer):
    text = pdf_text(pdf_bytes(issue(dossier, officer, "apology", APOLOGY)))
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "Kính gửi: Nguyễn Văn Ánh" in text
    assert "Ngày 23/11/2026" in text and CODE in text
    assert "Thời gian hẹn trả kết quả giải quyết hồ sơ: 16:30 25/11/2026" in text
    assert "Lý do: Chờ ý kiến của Cục Đường bộ Việt Nam" in text
    assert "16:30 30/11/2026" in text


def test_apology_without_the_old_date_uses_the_original_due_date(dossier, officer):
    data = {"reason": "Chờ kết quả xác minh", "new_due_at": "2026-12-01T10:00:00+07:00"}
    text = pdf_text(pdf_bytes(issue(dossier, officer, "apology", data)))
    assert "16:30 25/11/2026" in text and "10:00 01/12/2026" in text


def test_notice_of_stop_gives_the_reason(dossier, officer):
    text = pdf_text(pdf_bytes(issue(dossier, officer, "stop", {"reason": "Xe không đủ điều kiện"})))
    assert "THÔNG BÁO" in text and "dừng xử lý hồ sơ" in text
    assert CODE in text and "Nguyễn Văn Ánh" in text
    assert "Lý do dừng xử lý: Xe không đủ điều kiện" in text


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("receipt", {}),
        ("supplement", SUPPLEMENT),
        ("refusal", {"reasons": "Sai thẩm quyền"}),
        ("apology", APOLOGY),
        ("stop", {"reason": "Dừng"}),
    ],
)
def test_slips_are_a5_on_one_page(dossier, officer, kind, data):
    data = pdf_bytes(issue(dossier, officer, kind, data))
    assert same_size(page_size(data), A5)
    assert page_count(data) == 1


def test_control_sheet_is_a4(dossier, officer):
    assert same_size(page_size(control_sheet_pdf(dossier)), A4)
    document = issue(dossier, officer, "control_sheet", addressed_to_applicant=False)
    assert same_size(page_size(pdf_bytes(document)), A4)


def test_numbers_run_per_agency_and_year(dossier, officer, hue_procedure, applicant):
    year = timezone.localdate().year
    numbers = [issue(dossier, officer, "receipt").number for _ in range(3)]
    assert numbers == [f"1/{year}", f"2/{year}", f"3/{year}"]
    other_agency = AgencyFactory()
    other = make_dossier(
        ProcedureFactory(agency=other_agency),
        applicant,
        code="000.00.99.H99-261123-0001",
        accepted_at=local(2026, 11, 23, 9),
        due_at=local(2026, 11, 25, 9),
    )
    assert issue(other, officer, "refusal", {"reasons": "x"}).number == f"1/{year}"
    assert issue(dossier, officer, "stop", {"reason": "x"}).number == f"4/{year}"


def test_a_new_year_starts_at_one(db):
    assert [allocate_number("document:agency:1", 2026) for _ in range(2)] == [1, 2]
    assert allocate_number("document:agency:1", 2027) == 1
    assert allocate_number("document:agency:2", 2026) == 1


def test_issuing_a_slip_alone_sends_no_second_email(
    dossier, officer, mailoutbox, django_capture_on_commit_callbacks
):
    """The change that issued the slip (accepted, supplement requested...) tells the
    applicant, with a link to the dossier page where the slip is (notifications, decision
    0040): the slip itself is not mailed again."""
    with django_capture_on_commit_callbacks(execute=True):
        issue(dossier, officer, "supplement", SUPPLEMENT)
    assert mailoutbox == []


def test_no_email_for_internal_documents_or_without_an_address(
    dossier, officer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        issue(dossier, officer, "control_sheet", addressed_to_applicant=False)
    dossier.applicant_email = ""
    dossier.applicant.email = None
    with django_capture_on_commit_callbacks(execute=True):
        issue(dossier, officer, "receipt")
    assert mailoutbox == []


def test_unknown_kind_is_refused(dossier, officer):
    with pytest.raises(ValueError):
        issue(dossier, officer, "certificate")


# ---------------------------------------------------------------------------------------
# Processing control sheet (form 05)


def event_at(moment, **fields):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        return DossierEvent.objects.create(**fields)


@pytest.fixture
def handed_over(dossier, officer, desk, specialist_unit, make_officer):
    """accept → desk forwards → specialist forwards early → leader approves late → returned."""
    agency = specialist_unit.agency
    specialist = make_officer(agency, (specialist_unit, "specialist"), full_name="Phạm Minh Đức")
    leader = make_officer(agency, (specialist_unit, "unit_head"), full_name="Hoàng Thị Lan")
    common = {"dossier": dossier}
    event_at(
        local(2026, 11, 23, 8, 30), actor=officer, action="accept", unit_name=desk.name, **common
    )
    event_at(
        local(2026, 11, 23, 9),
        actor=officer,
        action="forward",
        from_unit_name=desk.name,
        to_unit_name=specialist_unit.name,
        step_due_at=local(2026, 11, 24, 17),
        **common,
    )
    event_at(
        local(2026, 11, 23, 10),
        actor=officer,
        action="comment",
        note="Không phải giao nhận",
        **common,
    )
    event_at(
        local(2026, 11, 23, 15),
        actor=specialist,
        action="forward",
        from_unit_name=specialist_unit.name,
        to_unit_name="Lãnh đạo Sở",
        step_due_at=local(2026, 11, 25, 10),
        data={"note": "Đề nghị cấp"},
        **common,
    )
    event_at(
        local(2026, 11, 25, 11),
        actor=leader,
        action="approve",
        from_unit_name="Lãnh đạo Sở",
        to_unit_name=desk.name,
        step_due_at=local(2026, 11, 25, 16, 30),
        **common,
    )
    event_at(local(2026, 11, 25, 16), actor=officer, action="return", unit_name=desk.name, **common)
    return dossier


def test_control_sheet_rows_are_the_hand_overs_judged_against_their_deadlines(
    handed_over, desk, specialist_unit
):
    rows = control_sheet_rows(handed_over)
    assert [(r["from_unit"], r["to_unit"]) for r in rows] == [
        ("Nguyễn Văn Ánh", desk.name),
        (desk.name, specialist_unit.name),
        (specialist_unit.name, "Lãnh đạo Sở"),
        ("Lãnh đạo Sở", desk.name),
        (desk.name, "Nguyễn Văn Ánh"),
    ]
    assert [r["result"] for r in rows] == ["", "", EARLY, LATE, ON_TIME]
    assert [r["giver"] for r in rows] == [
        "Nguyễn Văn Ánh",
        "Trần Thị Bích",
        "Phạm Minh Đức",
        "Hoàng Thị Lan",
        "Trần Thị Bích",
    ]
    assert rows[1]["receiver"] == "Phạm Minh Đức"
    assert rows[2]["note"] == "Đề nghị cấp"


def test_control_sheet_pdf_shows_the_hand_overs(handed_over, officer, specialist_unit):
    issue(handed_over, officer, "receipt")
    text = pdf_text(control_sheet_pdf(handed_over))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert CODE in text and "Nguyễn Văn Ánh" in text
    assert "Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả số: 1/" in text
    assert specialist_unit.name in text and "Phạm Minh Đức" in text
    assert "09:00 23/11/2026" in text
    for result in (EARLY, LATE, ON_TIME):
        assert result in text
    assert "Không phải giao nhận" not in text


def test_control_sheet_first_row_is_the_applicant_handing_over_to_the_desk_officer(
    handed_over, desk
):
    first, *_middle, last = control_sheet_rows(handed_over)
    assert (first["from_unit"], first["to_unit"]) == ("Nguyễn Văn Ánh", desk.name)
    assert (first["giver"], first["receiver"]) == ("Nguyễn Văn Ánh", "Trần Thị Bích")
    # The result goes back the other way: the desk officer hands it to the applicant.
    assert (last["giver"], last["receiver"]) == ("Trần Thị Bích", "Nguyễn Văn Ánh")


def test_control_sheet_pdf_names_the_applicant_as_the_first_giver(handed_over):
    text = pdf_text(control_sheet_pdf(handed_over))
    first_row = text[text.index("Ghi chú") :]
    assert first_row.index("Nguyễn Văn Ánh") < first_row.index("Trần Thị Bích")


# ---------------------------------------------------------------------------------------
# The applicant's address on the slips: what the application form declares


@pytest.mark.parametrize(
    ("demo", "section"),
    [
        ("badge-2.002288.json", "operator"),
        ("ship-registration-1.002687.json", "owner"),
        ("aircraft-registration-1.003747.json", "applicant"),
    ],
)
def test_receipt_prints_the_address_the_reference_procedures_form_holds(
    demo, section, agency, officer, desk, db
):
    loaded = json.loads(
        (Path(__file__).parents[2] / "catalogue" / "demo" / demo).read_text(encoding="utf-8")
    )
    spec = loaded["procedure"]
    procedure = ProcedureFactory(
        agency=agency,
        code=loaded["code"],
        form_schema=spec["form_schema"],
        form_ui=spec["form_ui"],
        processing_time=2,
    )
    applicant = UserFactory(full_name="Lê Thị Hoa", address="")  # nothing in the profile
    address = "88 Nguyễn Huệ, phường Phú Hội, thành phố Huế"
    dossier = make_dossier(
        procedure,
        applicant,
        code=CODE,
        accepted_at=local(2026, 11, 23, 8, 30),
        due_at=local(2026, 11, 25, 16, 30),
        unit=desk,
        form_data={section: {"name": "Công ty TNHH Hoa Sen", "address": address}},
    )
    text = pdf_text(pdf_bytes(issue(dossier, officer, "receipt")))
    assert f"Địa chỉ: {address}" in text
    refusal = pdf_text(pdf_bytes(issue(dossier, officer, "refusal", {"reasons": "Thiếu"})))
    assert f"Địa chỉ: {address}" in refusal


def test_receipt_falls_back_to_the_profile_address_without_one_in_the_form(dossier, officer):
    text = pdf_text(pdf_bytes(issue(dossier, officer, "receipt")))
    assert "Địa chỉ: 12 Đường Lê Lợi, phường Thuận Hóa, thành phố Huế" in text
