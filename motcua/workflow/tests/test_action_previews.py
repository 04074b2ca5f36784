"""Every action that issues a document shows it, and the due date it sets, before it is
issued; confirming issues exactly what was previewed (decision 0053)."""

import base64
import hashlib
import json
import re
from html import unescape

import pytest
from django.urls import reverse

from motcua.accounts.testing import login_officer
from motcua.documents.models import IssuedDocument, NumberSequence
from motcua.dossiers.models import DossierEvent, Status
from motcua.factories import (
    AgencyFactory,
    ComponentFactory,
    ProcedureFactory,
    make_submitted_dossier,
)
from motcua.results.models import ResultDocument
from motcua.results.tests.conftest import DEMO, badge_form, vehicle
from motcua.workflow import machine
from motcua.workflow.machine import NoteInput, ReasonInput
from motcua.workflow.tests.test_page_reads import RECORD_STATEMENTS

ADDRESS = "25 Hùng Vương, thành phố Huế"  # the operator's address on the badge form


@pytest.fixture
def badge_procedure(db):
    """The reference badge procedure (2.002288) with its real form, 2 working days."""
    spec = json.loads((DEMO / "badge-2.002288.json").read_text(encoding="utf-8"))["procedure"]
    procedure = ProcedureFactory(
        code="2.002288",
        agency=AgencyFactory(name="Sở Xây dựng thành phố Huế", address="Số 1 Lê Lợi, Huế"),
        form_schema=spec["form_schema"],
        form_ui=spec["form_ui"],
        processing_time=2,
    )
    ComponentFactory(procedure=procedure, name="Giấy đề nghị cấp phù hiệu")
    return procedure


@pytest.fixture
def org(badge_procedure, make_organisation):
    return make_organisation(badge_procedure)


@pytest.fixture
def dossier(org, badge_procedure, citizen):
    return make_submitted_dossier(
        badge_procedure, citizen, form_data=badge_form(vehicle("75B-012.34"))
    )


def url(dossier, name) -> str:
    return reverse("workflow:action", args=[dossier.uuid, name])


def shown(page):
    """What the page previews (the workflow's Preview), or None."""
    return page.context["action_preview"]


def document_in(page) -> str:
    """The previewed document's HTML, as the iframe's srcdoc carries it."""
    match = re.search(r'srcdoc="([^"]*)"', page.content.decode())
    assert match, "no document preview on the page"
    return unescape(match[1])


def perform(dossier, action, actor, data=None):
    return machine.perform(dossier_id=dossier.pk, action=action, actor=actor, data=data)


@pytest.fixture
def in_review(dossier, org, clock):
    clock.set(2026, 12, 7, 9, 0)  # a Monday
    return perform(dossier, "accept", org.desk_officer)


# --- Accept: the receipt (form 01) and the due date -------------------------------------


def test_accept_page_shows_the_receipt_with_the_due_date_and_the_receiving_unit(
    client, org, dossier, clock
):
    clock.set(2026, 12, 7, 9, 0)  # Monday; 2 working days
    login_officer(client, org.desk_officer)
    page = client.get(url(dossier, "accept"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Hạn trả kết quả: 09:00 ngày 09/12/2026" in body
    assert "Hồ sơ sẽ được chuyển đến: <strong>Phòng Quản lý vận tải</strong>" in body
    receipt = document_in(page)
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in receipt
    assert "BẢN XEM TRƯỚC" in receipt
    assert "Nguyễn Văn An" in receipt
    assert f"Địa chỉ: {ADDRESS}" in receipt
    assert "09:00 09/12/2026" in receipt


def test_the_issued_receipt_carries_the_previewed_due_date(client, org, dossier, clock):
    clock.set(2026, 12, 7, 9, 0)
    login_officer(client, org.desk_officer)
    page = client.get(url(dossier, "accept"))
    clock.set(2026, 12, 7, 9, 3)  # reading the slip took a few minutes: same due day
    response = client.post(
        url(dossier, "accept"),
        {"expected_version": dossier.version, "previewed": shown(page).fingerprint},
        follow=True,
    )
    body = response.content.decode()
    assert "Hạn trả kết quả: 09:03 ngày 09/12/2026" in body
    assert "Hồ sơ đã được chuyển đến Phòng Quản lý vận tải" in body
    receipt = IssuedDocument.objects.get(dossier=dossier, kind="receipt")
    assert "09:03 09/12/2026" in receipt.html
    assert f"Địa chỉ: {ADDRESS}" in receipt.html
    assert "BẢN XEM TRƯỚC" not in receipt.html


def test_a_due_day_moved_since_the_preview_shows_the_preview_again_and_issues_nothing(
    client, org, dossier, clock
):
    clock.set(2026, 12, 11, 16, 55)  # Friday, just before closing
    login_officer(client, org.desk_officer)
    page = client.get(url(dossier, "accept"))
    clock.set(2026, 12, 14, 8, 0)  # confirmed on Monday morning
    again = client.post(
        url(dossier, "accept"),
        {"expected_version": dossier.version, "previewed": shown(page).fingerprint},
    )
    assert again.status_code == 200
    assert 'id="review-again"' in again.content.decode()
    assert "Hạn trả kết quả: 08:00 ngày 16/12/2026" in again.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    assert not IssuedDocument.objects.filter(dossier=dossier).exists()
    done = client.post(
        url(dossier, "accept"),
        {"expected_version": dossier.version, "previewed": shown(again).fingerprint},
    )
    assert done.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING


def test_showing_a_preview_writes_nothing(client, org, dossier):
    login_officer(client, org.desk_officer)
    events = DossierEvent.objects.filter(dossier=dossier).count()
    assert client.get(url(dossier, "accept")).status_code == 200
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED and dossier.due_at is None
    assert DossierEvent.objects.filter(dossier=dossier).count() == events
    assert not IssuedDocument.objects.exists()
    assert not NumberSequence.objects.exists()


def test_the_page_lets_exactly_the_documents_own_styles_apply(client, org, dossier):
    login_officer(client, org.desk_officer)
    page = client.get(url(dossier, "accept"))
    style = re.search(r"<style>(.*?)</style>", document_in(page), re.DOTALL)[1]
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = page["Content-Security-Policy"]
    assert f"'sha256-{digest}'" in policy
    assert "'unsafe-inline'" not in policy and "script-src 'self'" in policy


# --- Who may see a preview ------------------------------------------------------------


def test_an_officer_of_another_unit_gets_404_and_no_preview(client, org, dossier):
    login_officer(client, org.specialist)
    assert client.get(url(dossier, "accept")).status_code == 404
    response = client.post(url(dossier, "refuse"), {"reason": "Thiếu", "preview": "1"})
    assert response.status_code == 404


def test_an_officer_who_sees_but_may_not_act_gets_the_reason_and_no_preview(client, org, in_review):
    login_officer(client, org.desk_officer)  # the desk handed it to the specialists
    page = client.get(url(in_review, "forward"))
    assert "bạn không được giao bước này" in page.content.decode()
    assert shown(page) is None and "srcdoc" not in page.content.decode()


# --- Refuse, supplement, stop, withdrawal: the preview follows what is typed --------------


def test_refusal_preview_keeps_the_reason_and_a_changed_reason_is_shown_again(client, org, dossier):
    login_officer(client, org.desk_officer)
    data = {"expected_version": dossier.version, "reason": "Thiếu giấy đăng ký xe"}
    page = client.post(url(dossier, "refuse"), {**data, "preview": "1"})
    assert page.status_code == 200
    assert "Thiếu giấy đăng ký xe" in document_in(page)
    assert "Phiếu từ chối tiếp nhận giải quyết hồ sơ" in document_in(page)
    assert ">\nThiếu giấy đăng ký xe</textarea>" in page.content.decode()  # kept in the form
    changed = {**data, "reason": "Giấy tờ giả mạo", "previewed": shown(page).fingerprint}
    again = client.post(url(dossier, "refuse"), changed)
    assert again.status_code == 200 and "Giấy tờ giả mạo" in document_in(again)
    assert not IssuedDocument.objects.filter(dossier=dossier).exists()
    done = client.post(url(dossier, "refuse"), {**changed, "previewed": shown(again).fingerprint})
    assert done.status_code == 302
    slip = IssuedDocument.objects.get(dossier=dossier, kind="refusal")
    assert "Giấy tờ giả mạo" in slip.html and "Thiếu giấy đăng ký xe" not in slip.html


def test_supplement_preview_lists_what_was_typed_and_says_the_clock_stops(client, org, in_review):
    component = in_review.procedure.components.first()
    login_officer(client, org.specialist)
    data = {
        "expected_version": in_review.version,
        "items": [str(component.pk)],
        f"reason_{component.pk}": "Bản sao mờ, không đọc được số khung",
    }
    page = client.post(url(in_review, "request_supplement"), {**data, "preview": "1"})
    slip = document_in(page)
    assert "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ" in slip
    assert component.name in slip and "Bản sao mờ, không đọc được số khung" in slip
    assert "Thời hạn giải quyết tạm dừng" in page.content.decode()
    done = client.post(
        url(in_review, "request_supplement"), {**data, "previewed": shown(page).fingerprint}
    )
    assert done.status_code == 302
    issued = IssuedDocument.objects.get(dossier=in_review, kind="supplement")
    assert "Bản sao mờ, không đọc được số khung" in issued.html


def test_stop_preview_shows_the_notice_with_the_reason(client, org, in_review):
    login_officer(client, org.specialist)
    data = {"expected_version": in_review.version, "reason": "Xe đã bị thu hồi đăng ký"}
    page = client.post(url(in_review, "stop"), {**data, "preview": "1"})
    assert "Thông báo dừng xử lý hồ sơ" in document_in(page)
    assert "Xe đã bị thu hồi đăng ký" in document_in(page)
    assert "Nguyễn Văn An" in document_in(page)
    client.post(url(in_review, "stop"), {**data, "previewed": shown(page).fingerprint})
    issued = IssuedDocument.objects.get(dossier=in_review, kind="stop")
    assert "Xe đã bị thu hồi đăng ký" in issued.html


def test_confirming_a_withdrawal_shows_the_notice_of_stop_first(client, org, in_review):
    perform(in_review, "request_withdrawal", in_review.applicant, ReasonInput("Không cần nữa"))
    login_officer(client, org.desk_officer)
    page = client.get(url(in_review, "confirm_withdrawal"))
    assert "Dừng xử lý theo đề nghị rút hồ sơ của người nộp." in document_in(page)
    in_review.refresh_from_db()
    client.post(
        url(in_review, "confirm_withdrawal"),
        {"expected_version": in_review.version, "previewed": shown(page).fingerprint},
    )
    assert IssuedDocument.objects.filter(dossier=in_review, kind="stop").exists()


# --- Extend: the apology (form 04) with the new due date --------------------------------


def test_extend_shows_the_new_due_date_before_the_apology_is_issued(client, org, in_review):
    login_officer(client, org.specialist)
    page = client.get(url(in_review, "extend"))
    assert 'id="preview-hint"' in page.content.decode() and shown(page) is None
    data = {
        "expected_version": in_review.version,
        "reason": "Chờ xác minh của Cục Đường bộ",
        "new_due_date": "11/12/2026",
    }
    page = client.post(url(in_review, "extend"), {**data, "preview": "1"})
    assert "Hạn trả kết quả mới: 09:00 ngày 11/12/2026" in page.content.decode()
    apology = document_in(page)
    assert "Phiếu xin lỗi và hẹn lại ngày trả kết quả" in apology
    assert "Chờ xác minh của Cục Đường bộ" in apology and "11/12/2026" in apology
    client.post(url(in_review, "extend"), {**data, "previewed": shown(page).fingerprint})
    in_review.refresh_from_db()
    assert in_review.due_at.strftime("%d/%m/%Y") == "11/12/2026"
    assert "11/12/2026" in IssuedDocument.objects.get(dossier=in_review, kind="apology").html


def test_an_extension_to_a_weekend_is_refused_at_the_preview(client, org, in_review):
    login_officer(client, org.specialist)
    page = client.post(
        url(in_review, "extend"),
        {
            "expected_version": in_review.version,
            "reason": "Chờ xác minh",
            "new_due_date": "12/12/2026",  # a Saturday
            "preview": "1",
        },
    )
    assert page.status_code == 400
    assert "Ngày hẹn mới phải là ngày làm việc." in page.content.decode()
    assert "new_due_date" in page.context["form"].errors


# --- Forward: which unit receives the dossier -------------------------------------------


def test_forwarding_names_the_receiving_unit_before_and_after(client, org, in_review):
    login_officer(client, org.specialist)
    page = client.get(url(in_review, "forward"))
    body = page.content.decode()
    assert "Hồ sơ sẽ được chuyển đến: <strong>Phòng Quản lý vận tải</strong>" in body
    assert "srcdoc" not in body  # forwarding issues no document
    response = client.post(
        url(in_review, "forward"),
        {"expected_version": in_review.version, "previewed": shown(page).fingerprint},
        follow=True,
    )
    assert "Hồ sơ đã được chuyển đến Phòng Quản lý vận tải" in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.step_key == "head-review"


# --- Approve: the result before it is signed, and the signed result after ----------------


@pytest.fixture
def at_signing(in_review, org):
    perform(in_review, "forward", org.specialist, NoteInput("Đủ điều kiện"))
    return perform(in_review, "forward", org.head)


def test_approving_shows_the_result_before_signing_and_links_to_it_after(client, org, at_signing):
    login_officer(client, org.leader)
    page = client.get(url(at_signing, "approve"))
    result = document_in(page)
    assert "BẢN XEM TRƯỚC" in result
    assert "75B-012.34" in result and "Công ty TNHH Vận tải Hương Giang" in result
    assert "Hồ sơ sẽ được chuyển đến: <strong>Bộ phận Một cửa</strong>" in page.content.decode()
    assert not ResultDocument.objects.exists()
    response = client.post(
        url(at_signing, "approve"),
        {"expected_version": at_signing.version, "previewed": shown(page).fingerprint},
        follow=True,
    )
    signed = ResultDocument.objects.get(dossier=at_signing)
    assert response.redirect_chain[-1][0].endswith("#results")
    assert reverse("results:download", args=[signed.pk]) in response.content.decode()
    assert "Hồ sơ đã được chuyển đến Bộ phận Một cửa" in response.content.decode()


def test_without_a_signing_key_the_approve_page_says_so_before_anything(
    client, org, at_signing, settings, tmp_path
):
    settings.SIGNING_DIR = tmp_path / "empty"
    login_officer(client, org.leader)
    page = client.get(url(at_signing, "approve"))
    assert "chưa có khóa và chứng thư số" in page.content.decode()
    assert shown(page) is None


# --- What a preview costs ----------------------------------------------------------------


def test_the_accept_page_with_its_preview_reads_a_fixed_number_of_queries(
    client, org, dossier, django_assert_num_queries
):
    login_officer(client, org.desk_officer)
    url_ = url(dossier, "accept")
    assert client.get(url_).status_code == 200
    # The dossier, its receiving agency (and its parent, for the slip's heading), the
    # applicant, the unit the next step goes to, the tracking-book entry (none yet) and the
    # desk instead, the components and the attachments counted per component; then the
    # access record (three statements in the test's transaction, see test_page_reads).
    with django_assert_num_queries(9 + RECORD_STATEMENTS):
        page = client.get(url_)
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in document_in(page)
