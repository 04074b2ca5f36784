"""What the applicant sees and does after submission: supplement, payment, withdrawal,
the documents sent to them, the due date, and public tracking (UX.md "Tracking")."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers import services
from motcua.dossiers.models import Attachment, Dossier, DossierEvent, Status
from motcua.dossiers.tests.helpers import complete_draft, pdf
from motcua.workdays import services as workdays
from motcua.workflow import machine

ITEMS = (
    machine.SupplementItem(component="Giấy đề nghị", reason="Bản chụp mờ, không đọc được chữ ký"),
)


@pytest.fixture(scope="module")
def one_page_pdf():
    from motcua.documents.render import html_to_pdf

    return html_to_pdf("<p>Phiếu</p>")


@pytest.fixture(autouse=True)
def _small_pdfs(monkeypatch, one_page_pdf):
    # Rendering each slip (WeasyPrint) is the documents app's concern and slow; the pages
    # here only list and link them. A real one-page PDF, because online slips are signed.
    monkeypatch.setattr("motcua.documents.services.html_to_pdf", lambda html: one_page_pdf)


@pytest.fixture
def submitted(org, citizen, procedure):
    draft = complete_draft(procedure, citizen)
    return services.dossier_submit(dossier_uuid=draft.uuid, applicant=citizen)


@pytest.fixture
def processing(submitted, org):
    return machine.perform(dossier_id=submitted.pk, action="accept", actor=org.desk_officer)


@pytest.fixture
def supplement_requested(processing, org):
    return machine.perform(
        dossier_id=processing.pk,
        action="request_supplement",
        actor=org.specialist,
        data=machine.RequestSupplementInput(items=ITEMS, note="Chụp lại bản gốc cho rõ."),
    )


@pytest.fixture
def applicant(client, citizen):
    client.force_login(citizen)
    return client


def url(name, dossier, *args):
    namespace = "applicant" if name in ("supplement_submit", "withdraw") else "dossiers"
    return reverse(f"{namespace}:{name}", args=[dossier.uuid, *args])


def page(client, dossier):
    response = client.get(url("detail", dossier))
    assert response.status_code == 200
    return response.content.decode()


def fresh(dossier):
    return Dossier.objects.get(pk=dossier.pk)


def upload(client, dossier, component, item=1, file=None):
    return client.post(
        url("supplement_upload", dossier),
        {"item": item, "component": component.pk, "files": file or pdf("ban-moi.pdf")},
    )


def submit_supplement(client, dossier, version=None, note=""):
    version = fresh(dossier).version if version is None else version
    return client.post(url("supplement_submit", dossier), {"version": version, "note": note})


# --- the page of a submitted dossier ----------------------------------------------------


def test_it_shows_status_handling_unit_due_date_and_timeline(applicant, processing, org):
    html = page(applicant, processing)
    assert "Đang xử lý" in html and "Hồ sơ đang được giải quyết." in html
    assert "Đơn vị đang xử lý" in html and org.department.name in html
    assert timezone.localtime(fresh(processing).due_at).strftime("%d/%m/%Y") in html
    assert "Đã tiếp nhận hồ sơ" in html and "Chuyển xử lý" in html
    assert "Việc quý vị cần làm" not in html


def test_before_acceptance_the_due_date_is_not_known_yet(applicant, submitted, org):
    html = page(applicant, submitted)
    assert "Sẽ có khi hồ sơ được tiếp nhận" in html and org.desk.name in html


def test_applicant_sees_the_supplement_request_with_its_items(applicant, supplement_requested, org):
    html = page(applicant, supplement_requested)
    assert "Việc quý vị cần làm: bổ sung hồ sơ" in html
    assert "Giấy đề nghị" in html and "Bản chụp mờ, không đọc được chữ ký" in html
    assert "Chụp lại bản gốc cho rõ." in html
    assert org.specialist.full_name in html and org.department.name in html
    assert url("supplement_upload", supplement_requested) in html
    assert url("supplement_submit", supplement_requested) in html
    assert "Nộp hồ sơ bổ sung" in html
    # The clock is paused while the applicant supplements (D61 art.19(4)).
    assert "Tạm dừng trong khi chờ quý vị bổ sung" in html


def test_upload_then_submit_supplement_goes_back_to_processing_with_a_new_due_date(
    applicant, supplement_requested, procedure
):
    component = procedure.components.get(name="Giấy đề nghị")
    response = upload(applicant, supplement_requested, component)
    assert response.status_code == 302
    assert response["Location"].endswith("#supplement")
    new_file = Attachment.objects.get(dossier=supplement_requested, original_name="ban-moi.pdf")
    assert new_file.component == component
    assert "ban-moi.pdf" in page(applicant, supplement_requested)
    # An appointment long past: the restarted clock must give a new one.
    Dossier.objects.filter(pk=supplement_requested.pk).update(
        due_at=timezone.now() - timedelta(days=30)
    )

    response = submit_supplement(applicant, supplement_requested, note="Đã chụp lại.")

    assert response.status_code == 302
    dossier = fresh(supplement_requested)
    assert dossier.status == Status.PROCESSING
    assert dossier.due_at > timezone.now() and dossier.original_due_at == dossier.due_at
    assert dossier.clock_paused_at is None
    event = DossierEvent.objects.get(dossier=dossier, action="submit_supplement")
    assert event.actor_id == dossier.applicant_id and event.note == "Đã chụp lại."
    html = page(applicant, dossier)
    assert "Thời hạn giải quyết được tính lại" in html
    assert timezone.localtime(dossier.due_at).strftime("%d/%m/%Y") in html
    assert "Việc quý vị cần làm" not in html


def test_supplement_requested_at_reception_goes_back_to_the_desk(
    applicant, submitted, org, procedure
):
    machine.perform(
        dossier_id=submitted.pk,
        action="request_supplement",
        actor=org.desk_officer,
        data=machine.RequestSupplementInput(items=ITEMS, note=""),
    )
    upload(applicant, submitted, procedure.components.get(name="Giấy đề nghị"))
    assert submit_supplement(applicant, submitted).status_code == 302
    dossier = fresh(submitted)
    assert dossier.status == Status.SUBMITTED and dossier.due_at is None


def test_the_same_supplement_cannot_be_submitted_twice(applicant, supplement_requested):
    version = fresh(supplement_requested).version
    assert submit_supplement(applicant, supplement_requested, version, "Lần 1").status_code == 302

    again = submit_supplement(applicant, supplement_requested, version, "Lần 2")
    assert again.status_code == 400
    html = again.content.decode()
    assert 'class="error-summary"' in html and "Thao tác của bạn chưa được thực hiện" in html

    # Even with the version the page shows now: the dossier is no longer waiting for it.
    current = submit_supplement(applicant, supplement_requested, note="Lần 3")
    assert current.status_code == 400
    assert "Không thể “Nộp hồ sơ bổ sung”" in current.content.decode()
    events = DossierEvent.objects.filter(dossier=supplement_requested, action="submit_supplement")
    assert [e.note for e in events] == ["Lần 1"]


def test_a_refused_supplement_keeps_the_note(applicant, supplement_requested):
    response = submit_supplement(applicant, supplement_requested, version=-5, note="Ghi chú dài")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#supplement-note"' in html
    assert ">Ghi chú dài</textarea>" in html
    assert fresh(supplement_requested).status == Status.SUPPLEMENT_REQUESTED


def test_a_forged_version_is_refused_not_an_error(applicant, supplement_requested):
    response = applicant.post(url("supplement_submit", supplement_requested), {"version": "x"})
    assert response.status_code == 400
    assert fresh(supplement_requested).status == Status.SUPPLEMENT_REQUESTED


def test_an_empty_supplement_is_refused(applicant, supplement_requested):
    response = submit_supplement(applicant, supplement_requested)
    assert response.status_code == 400
    assert "Chưa có giấy tờ bổ sung nào" in response.content.decode()
    assert fresh(supplement_requested).status == Status.SUPPLEMENT_REQUESTED
    # Saying how the papers come (at the counter) is enough.
    response = submit_supplement(applicant, supplement_requested, note="Nộp bản giấy tại quầy.")
    assert response.status_code == 302


def test_supplement_files_go_through_the_upload_checks(applicant, supplement_requested, procedure):
    fake = SimpleUploadedFile("don.pdf", b"not a pdf at all", content_type="application/pdf")
    component = procedure.components.get(name="Giấy đề nghị")
    response = upload(applicant, supplement_requested, component, item=1, file=fake)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#supplement-files-1"' in html and "không phải định dạng" in html
    assert 'id="supplement-files-1-error"' in html
    assert not Attachment.objects.filter(original_name="don.pdf").exists()


def test_only_files_uploaded_after_the_request_can_be_removed(
    applicant, supplement_requested, procedure
):
    old = Attachment.objects.get(dossier=supplement_requested)
    upload(applicant, supplement_requested, procedure.components.get(name="Giấy đề nghị"))
    new = Attachment.objects.get(dossier=supplement_requested, original_name="ban-moi.pdf")

    response = applicant.post(url("attachment_delete", supplement_requested, old.pk), follow=True)
    assert "Chỉ xoá được tệp vừa bổ sung" in response.content.decode()
    assert Attachment.objects.filter(pk=old.pk).exists()

    response = applicant.post(url("attachment_delete", supplement_requested, new.pk))
    assert response.status_code == 302
    assert not Attachment.objects.filter(pk=new.pk).exists()


def test_files_cannot_be_added_once_the_supplement_is_in(
    applicant, supplement_requested, procedure
):
    submit_supplement(applicant, supplement_requested, note="Nộp bản giấy.")
    response = upload(applicant, supplement_requested, procedure.components.first())
    assert response.status_code == 400
    assert "không sửa được nữa" in response.content.decode()


def test_another_applicant_gets_404_on_every_url(
    client, other_citizen, supplement_requested, procedure
):
    client.force_login(other_citizen)
    attachment = Attachment.objects.get(dossier=supplement_requested)
    component = procedure.components.first()
    assert client.get(url("detail", supplement_requested)).status_code == 404
    assert client.get(url("withdraw", supplement_requested)).status_code == 404
    assert client.get(url("attachment", supplement_requested, attachment.pk)).status_code == 404
    posts = [
        (url("supplement_upload", supplement_requested), {"component": component.pk}),
        (url("supplement_submit", supplement_requested), {"version": 0, "note": "x"}),
        (url("withdraw", supplement_requested), {"version": 0, "reason": "x"}),
        (url("attachment_delete", supplement_requested, attachment.pk), {}),
    ]
    for address, data in posts:
        assert client.post(address, data).status_code == 404, address
    dossier = fresh(supplement_requested)
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_posts_need_the_csrf_token(citizen, supplement_requested):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    version = fresh(supplement_requested).version
    for name in ("supplement_upload", "supplement_submit", "withdraw"):
        response = client.post(
            url(name, supplement_requested), {"version": version, "note": "x", "reason": "x"}
        )
        assert response.status_code == 403
    assert fresh(supplement_requested).status == Status.SUPPLEMENT_REQUESTED


# --- payment ------------------------------------------------------------------------------


def test_awaiting_payment_shows_the_amount_and_the_way_to_pay(applicant, processing, org):
    machine.perform(
        dossier_id=processing.pk,
        action="request_payment",
        actor=org.specialist,
        data=machine.RequestPaymentInput(amount=150000, note=""),
    )
    html = page(applicant, processing)
    assert "Việc quý vị cần làm: nộp phí, lệ phí" in html and "150.000" in html
    # The online payment button (payments panel) and where the step's link leads.
    assert 'href="#thanh-toan"' in html and 'id="thanh-toan"' in html
    assert "Thanh toán trực tuyến</button>" in html
    assert "Thời gian chờ nộp phí, lệ phí không tính vào thời hạn" in html
    mine = applicant.get(reverse("dossiers:mine")).content.decode()
    assert "Cần nộp phí" in mine


# --- withdrawal ---------------------------------------------------------------------------


def test_withdrawal_needs_a_reason(applicant, processing):
    assert url("withdraw", processing) in page(applicant, processing)
    form = applicant.get(url("withdraw", processing))
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    version = fresh(processing).version

    response = applicant.post(url("withdraw", processing), {"version": version, "reason": "  "})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html and 'href="#reason"' in html
    assert "Cho biết lý do rút hồ sơ." in html
    assert fresh(processing).status == Status.PROCESSING


def test_withdrawal_with_a_reason_waits_for_the_agency(applicant, processing):
    version = fresh(processing).version
    response = applicant.post(
        url("withdraw", processing), {"version": version, "reason": "Đã bán xe, không cần nữa"}
    )
    assert response.status_code == 302
    dossier = fresh(processing)
    assert dossier.status == Status.WITHDRAWAL_REQUESTED
    event = DossierEvent.objects.get(dossier=dossier, action="request_withdrawal")
    assert event.note == "Đã bán xe, không cần nữa"
    html = page(applicant, dossier)
    assert "Đã gửi yêu cầu rút hồ sơ, chờ cơ quan xác nhận" in html
    assert url("withdraw", dossier) not in html
    # Asking again: the page explains instead of offering the form.
    again = applicant.get(url("withdraw", dossier), follow=True)
    assert "Không thể “Yêu cầu rút hồ sơ”" in again.content.decode()
    refused = applicant.post(
        url("withdraw", dossier), {"version": dossier.version, "reason": "Lần nữa"}
    )
    assert refused.status_code == 400 and ">Lần nữa</textarea>" in refused.content.decode()


# --- documents, due date changes ----------------------------------------------------------


def test_documents_addressed_to_the_applicant_are_listed(
    applicant, client, supplement_requested, other_citizen, org
):
    from motcua.documents.services import issue_document

    internal = issue_document(
        dossier=fresh(supplement_requested),
        kind="control_sheet",
        actor=org.specialist,
        addressed_to_applicant=False,
    )
    documents = list(supplement_requested.documents.filter(addressed_to_applicant=True))
    assert {d.kind for d in documents} == {"receipt", "supplement"}
    html = page(applicant, supplement_requested)
    for document in documents:
        link = reverse("documents:pdf", args=[supplement_requested.uuid, document.pk])
        assert link in html and document.number in html
        assert applicant.get(link).status_code == 200
    assert "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ" in html
    assert reverse("documents:pdf", args=[supplement_requested.uuid, internal.pk]) not in html

    client.force_login(other_citizen)
    for document in documents:
        link = reverse("documents:pdf", args=[supplement_requested.uuid, document.pk])
        assert client.get(link).status_code == 404


def test_a_changed_appointment_is_explained(applicant, processing, org):
    old_due = timezone.localtime(fresh(processing).due_at)
    day = old_due.date() + timedelta(days=1)
    while not workdays.is_working_day(day):
        day += timedelta(days=1)
    machine.perform(
        dossier_id=processing.pk,
        action="extend",
        actor=org.specialist,
        data=machine.ExtendInput(reason="Chờ kết quả xác minh", new_due_date=day),
    )
    html = page(applicant, processing)
    assert day.strftime("%d/%m/%Y") in html
    assert "Cơ quan đã xin lỗi và hẹn lại ngày trả kết quả" in html
    assert old_due.strftime("%d/%m/%Y") in html
    assert "Phiếu xin lỗi và hẹn lại ngày trả kết quả" in html
    mine = applicant.get(reverse("dossiers:mine")).content.decode()
    assert "đã hẹn lại" in mine


def test_the_page_reads_a_fixed_number_of_queries(applicant, supplement_requested, procedure, org):
    def count():
        with CaptureQueriesContext(connection) as queries:
            page(applicant, supplement_requested)
        return len(queries)

    count()  # the session's user is cached from the second request on
    before = count()
    component = procedure.components.get(name="Giấy đề nghị")
    for n in range(3):
        upload(applicant, supplement_requested, component, file=pdf(f"tep-{n}.pdf"))
        DossierEvent.objects.create(
            dossier=supplement_requested, action="note", note=f"Ghi chú {n}", is_public=True
        )
    from motcua.documents.services import issue_document

    for kind in ("control_sheet", "supplement"):
        issue_document(dossier=fresh(supplement_requested), kind=kind, actor=org.specialist)
    assert count() == before


# --- "My dossiers" and public tracking ----------------------------------------------------


def test_my_dossiers_flags_what_needs_the_applicant(applicant, supplement_requested):
    html = applicant.get(reverse("dossiers:mine")).content.decode()
    assert "Cần bổ sung hồ sơ" in html and "Tạm dừng, chờ bổ sung" in html


def test_my_dossiers_shows_the_due_date(applicant, processing):
    html = applicant.get(reverse("dossiers:mine")).content.decode()
    assert timezone.localtime(fresh(processing).due_at).strftime("%d/%m/%Y") in html
    assert "Cần bổ sung" not in html


def test_public_tracking_shows_unit_and_due_date_but_no_personal_data(client, processing, org):
    machine.perform(
        dossier_id=processing.pk,
        action="request_withdrawal",
        actor=processing.applicant,
        data=machine.ReasonInput(reason="Lý do riêng: chuyển nhà tới 12 Lê Lợi"),
    )
    dossier = fresh(processing)
    response = client.post(
        reverse("dossiers:track"), {"code": dossier.code, "secret": "0912345678"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert org.department.name in html
    assert timezone.localtime(dossier.due_at).strftime("%d/%m/%Y") in html
    assert "Người nộp yêu cầu rút hồ sơ" in html and "12 Lê Lợi" not in html
    assert "Nguyễn Văn An" not in html and "0912345678" not in html


def test_a_declined_withdrawal_keeps_the_supplement_leading_back_to_processing(
    applicant, supplement_requested, org, citizen
):
    machine.perform(
        dossier_id=supplement_requested.pk,
        action="request_withdrawal",
        actor=citizen,
        data=machine.ReasonInput(reason="Nhầm"),
    )
    machine.perform(
        dossier_id=supplement_requested.pk,
        action="decline_withdrawal",
        actor=org.specialist,
        data=machine.ReasonInput(reason="Tiếp tục"),
    )
    assert "Việc quý vị cần làm: bổ sung hồ sơ" in page(applicant, supplement_requested)
    assert (
        submit_supplement(applicant, supplement_requested, note="Nộp bản giấy.").status_code == 302
    )
    dossier = fresh(supplement_requested)
    assert dossier.status == Status.PROCESSING and dossier.clock_paused_at is None
