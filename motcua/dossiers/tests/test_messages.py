"""The conversation between the applicant and the unit handling the dossier (decision 0044):
who may read and write, the files, the read markers, the window after the dossier ends and
the event each message publishes."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import Role
from motcua.accounts.testing import login_officer
from motcua.core.models import OutboxEvent
from motcua.dossiers import messages as conversation
from motcua.dossiers.models import Dossier, DossierMessage, DossierMessageAttachment, Status
from motcua.dossiers.tests.helpers import pdf
from motcua.dossiers.tests.test_attachments import FakeClamd
from motcua.factories import PDF_BYTES, AgencyFactory, UnitFactory, make_submitted_dossier
from motcua.workflow.models import Comment

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


@pytest.fixture
def dossier(org, procedure, citizen):
    return make_submitted_dossier(procedure, citizen)


def detail_url(dossier):
    return reverse("dossiers:detail", args=[dossier.uuid])


def post_url(dossier):
    return reverse("dossiers:message_post", args=[dossier.uuid])


def officer_url(dossier):
    return reverse("workflow:dossier", args=[dossier.uuid])


def officer_post_url(dossier):
    return reverse("workflow:message_post", args=[dossier.uuid])


def test_applicant_and_desk_exchange_messages_with_files_and_read_markers(
    client, org, citizen, dossier
):
    client.force_login(citizen)
    response = client.post(
        post_url(dossier),
        {"text": "Tôi có cần nộp bản gốc giấy đăng ký xe không?", "files": [pdf("dang-ky.pdf")]},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#messages")
    page = client.get(detail_url(dossier)).content.decode()
    assert "Tôi có cần nộp bản gốc" in page and "dang-ky.pdf" in page
    assert "Chưa xem" in page and "Cơ quan đã xem" not in page

    # The desk officer, whose unit holds the dossier, reads it and answers.
    login_officer(client, org.desk_officer)
    page = client.get(officer_url(dossier)).content.decode()
    assert "Trao đổi với người nộp" in page
    assert "Tôi có cần nộp bản gốc" in page and "dang-ky.pdf" in page
    sent = DossierMessageAttachment.objects.get()
    download = client.get(reverse("workflow:message_file", args=[dossier.uuid, sent.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES
    response = client.post(
        officer_post_url(dossier), {"text": "Không cần, bản chụp là đủ.", "files": [pdf("hd.pdf")]}
    )
    assert response.status_code == 302

    # The applicant sees the answer, from the unit (not the officer's name), and that the
    # unit read their question.
    client.force_login(citizen)
    page = client.get(detail_url(dossier)).content.decode()
    assert "1 tin nhắn mới từ cơ quan giải quyết" in page
    assert "Không cần, bản chụp là đủ." in page and "hd.pdf" in page
    assert org.desk.name in page and org.desk_officer.full_name not in page
    assert "Cơ quan đã xem" in page
    answer = DossierMessage.objects.get(from_applicant=False)
    assert answer.read_at is not None  # read by opening the page
    assert "tin nhắn mới" not in client.get(detail_url(dossier)).content.decode()
    file = answer.attachments.get()
    download = client.get(reverse("dossiers:message_file", args=[dossier.uuid, file.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")

    login_officer(client, org.desk_officer)
    assert "Người nộp đã xem" in client.get(officer_url(dossier)).content.decode()


def test_my_dossiers_flags_a_dossier_with_an_unread_message(client, org, citizen, dossier):
    conversation.post_message(dossier=dossier, author=org.desk_officer, text="Mời anh lên ký.")
    client.force_login(citizen)
    assert "Có tin nhắn mới" in client.get(reverse("dossiers:mine")).content.decode()
    client.get(detail_url(dossier))
    assert "Có tin nhắn mới" not in client.get(reverse("dossiers:mine")).content.decode()


def test_another_citizen_can_neither_read_nor_write_nor_download(
    client, org, citizen, other_citizen, dossier
):
    message = conversation.post_message(
        dossier=dossier, author=citizen, text="Riêng tư", files=[pdf()]
    )
    file = message.attachments.get()
    client.force_login(other_citizen)
    assert client.get(detail_url(dossier)).status_code == 404
    assert client.post(post_url(dossier), {"text": "Xen vào"}).status_code == 404
    url = reverse("dossiers:message_file", args=[dossier.uuid, file.pk])
    assert client.get(url).status_code == 404
    assert DossierMessage.objects.count() == 1


def test_officer_of_another_agency_gets_404(client, org, citizen, dossier, make_officer):
    message = conversation.post_message(dossier=dossier, author=citizen, text="Hỏi", files=[pdf()])
    elsewhere = AgencyFactory(name="Sở Y tế")
    desk = UnitFactory(agency=elsewhere, kind="desk")
    stranger = make_officer(elsewhere, (desk, Role.DESK), full_name="Người lạ")
    login_officer(client, stranger)
    assert client.get(officer_url(dossier)).status_code == 404
    assert client.post(officer_post_url(dossier), {"text": "Chào"}).status_code == 404
    url = reverse("workflow:message_file", args=[dossier.uuid, message.attachments.get().pk])
    assert client.get(url).status_code == 404
    assert DossierMessage.objects.count() == 1
    assert DossierMessage.objects.get().read_at is None


def test_an_officer_who_sees_but_does_not_hold_the_dossier_cannot_answer_nor_mark_read(
    client, org, citizen, dossier
):
    # The agency administrator sees every dossier of the agency but answers for no unit.
    conversation.post_message(dossier=dossier, author=citizen, text="Hỏi")
    login_officer(client, org.admin)
    page = client.get(officer_url(dossier)).content.decode()
    assert "Hỏi" in page and 'id="message-form"' not in page
    assert DossierMessage.objects.get().read_at is None
    response = client.post(officer_post_url(dossier), {"text": "Trả lời"})
    assert response.status_code == 404
    assert DossierMessage.objects.count() == 1


def test_internal_comments_never_reach_the_applicant(client, org, citizen, dossier):
    Comment.objects.create(dossier=dossier, author=org.desk_officer, text="Hồ sơ này đáng ngờ")
    conversation.post_message(dossier=dossier, author=org.desk_officer, text="Chào anh")
    client.force_login(citizen)
    page = client.get(detail_url(dossier)).content.decode()
    assert "Chào anh" in page and "Hồ sơ này đáng ngờ" not in page
    # And the officer's page keeps the two apart: the comment is not in the thread.
    login_officer(client, org.desk_officer)
    page = client.get(officer_url(dossier)).content.decode()
    thread = page[page.index('id="messages"') : page.index('id="comments"')]
    assert "Chào anh" in thread and "Hồ sơ này đáng ngờ" not in thread


def test_a_disguised_executable_is_refused_and_the_text_kept(client, citizen, dossier):
    client.force_login(citizen)
    fake = SimpleUploadedFile("ban-chup.pdf", EXE, content_type="application/pdf")
    response = client.post(post_url(dossier), {"text": "Gửi bản chụp", "files": [fake]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "không phải định dạng được chấp nhận" in page
    assert 'href="#message-files"' in page  # in the error summary
    assert "Gửi bản chụp</textarea>" in page
    assert not DossierMessage.objects.exists() and not DossierMessageAttachment.objects.exists()


def test_an_infected_file_is_refused_when_the_scanner_is_on(settings, citizen, dossier):
    clamd = FakeClamd()
    settings.VIRUS_SCANNER = "clamav"
    settings.CLAMD_PORT = clamd.port
    with pytest.raises(conversation.MessageRefused, match="mã độc"):
        conversation.post_message(
            dossier=dossier, author=citizen, text="", files=[pdf(content=PDF_BYTES + b"EICAR")]
        )
    assert not DossierMessage.objects.exists()


def test_too_many_files_are_refused(settings, citizen, dossier):
    settings.DOSSIER_MESSAGE_MAX_FILES = 2
    with pytest.raises(conversation.MessageRefused, match="tối đa 2 tệp"):
        conversation.post_message(
            dossier=dossier, author=citizen, text="Ba tệp", files=[pdf(), pdf(), pdf()]
        )
    assert not DossierMessage.objects.exists()


def test_an_empty_message_names_the_field(client, org, citizen, dossier):
    client.force_login(citizen)
    response = client.post(post_url(dossier), {"text": "   "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nhập nội dung tin nhắn hoặc chọn tệp đính kèm." in page
    assert 'href="#message-text"' in page and 'aria-invalid="true"' in page
    login_officer(client, org.desk_officer)
    response = client.post(officer_post_url(dossier), {"text": ""})
    assert response.status_code == 400
    assert "Nhập nội dung tin nhắn hoặc chọn tệp đính kèm." in response.content.decode()
    assert not DossierMessage.objects.exists()


def test_a_file_alone_is_a_message(citizen, dossier):
    message = conversation.post_message(dossier=dossier, author=citizen, text="", files=[pdf()])
    assert message.attachments.count() == 1


def test_a_message_too_long_is_refused(citizen, dossier):
    with pytest.raises(conversation.MessageRefused, match="tối đa 5000 ký tự"):
        conversation.post_message(dossier=dossier, author=citizen, text="a" * 5001)


def test_each_message_publishes_one_event_saying_which_way(org, citizen, dossier):
    before = OutboxEvent.objects.filter(name="dossier.message_posted").count()
    asked = conversation.post_message(dossier=dossier, author=citizen, text="Hỏi")
    answered = conversation.post_message(dossier=dossier, author=org.desk_officer, text="Đáp")
    events = list(OutboxEvent.objects.filter(name="dossier.message_posted").order_by("id")[before:])
    assert [(e.payload["message_id"], e.payload["from_applicant"]) for e in events] == [
        (asked.pk, True),
        (answered.pk, False),
    ]
    assert events[0].payload["dossier_id"] == dossier.pk
    assert events[0].payload["actor_id"] == citizen.pk
    assert events[1].payload["action"] == "message"


def test_posting_is_refused_once_the_window_after_the_end_has_closed(
    client, settings, citizen, org, dossier
):
    settings.DOSSIER_MESSAGE_DAYS_AFTER_END = 30
    ended = timezone.now() - timedelta(days=29)
    Dossier.objects.filter(pk=dossier.pk).update(
        status=Status.RETURNED, finished_at=ended, returned_at=ended
    )
    dossier.refresh_from_db()
    conversation.post_message(dossier=dossier, author=citizen, text="Cảm ơn cơ quan")
    ended = timezone.now() - timedelta(days=31)
    Dossier.objects.filter(pk=dossier.pk).update(finished_at=ended, returned_at=ended)
    dossier.refresh_from_db()
    client.force_login(citizen)
    response = client.post(post_url(dossier), {"text": "Còn một việc"})
    assert response.status_code == 400
    assert "không gửi thêm tin nhắn được" in response.content.decode()
    page = client.get(detail_url(dossier)).content.decode()
    assert "Trao đổi về hồ sơ này đã đóng từ ngày" in page and 'id="message-form"' not in page
    with pytest.raises(conversation.MessageRefused):
        conversation.post_message(dossier=dossier, author=org.desk_officer, text="Đáp")
    assert list(DossierMessage.objects.values_list("text", flat=True)) == ["Cảm ơn cơ quan"]


def test_posting_is_rate_limited(settings, citizen, dossier):
    settings.DOSSIER_MESSAGES_PER_HOUR = 2
    conversation.post_message(dossier=dossier, author=citizen, text="Một")
    conversation.post_message(dossier=dossier, author=citizen, text="Hai")
    with pytest.raises(conversation.MessageRefused, match="thử lại sau"):
        conversation.post_message(dossier=dossier, author=citizen, text="Ba")
    assert DossierMessage.objects.count() == 2


def test_the_unit_holding_the_dossier_answers_and_the_desk_still_may(org, citizen, dossier):
    from motcua.workflow import machine

    machine.perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    dossier.refresh_from_db()
    assert dossier.current_unit_id == org.department.pk
    by_department = conversation.post_message(
        dossier=dossier, author=org.specialist, text="Phòng chuyên môn hỏi"
    )
    assert by_department.unit_name == org.department.name
    by_desk = conversation.post_message(dossier=dossier, author=org.desk_officer, text="Một cửa")
    assert by_desk.unit_name == org.desk.name
    with pytest.raises(PermissionError):
        conversation.post_message(dossier=dossier, author=org.leader, text="Lãnh đạo")


def test_the_officer_page_reads_the_thread_in_one_statement_whatever_its_length(
    client, org, citizen, dossier
):
    login_officer(client, org.desk_officer)
    url = officer_url(dossier)
    client.get(url)  # the memberships and the workflow version, cached
    with CaptureQueriesContext(connection) as empty:
        client.get(url)
    for n in range(3):
        conversation.post_message(dossier=dossier, author=citizen, text=f"Hỏi {n}", files=[pdf()])
    with CaptureQueriesContext(connection) as first:
        page = client.get(url).content.decode()
    assert page.count("message-theirs") == 3
    # The one UPDATE that marks the applicant's messages read, then nothing more.
    assert len(first.captured_queries) == len(empty.captured_queries) + 1
    with CaptureQueriesContext(connection) as again:
        client.get(url)
    assert len(again.captured_queries) == len(empty.captured_queries)


def test_the_inbox_row_says_the_applicant_wrote_until_the_unit_reads_it(
    client, org, citizen, dossier
):
    login_officer(client, org.desk_officer)
    inbox = reverse("workflow:inbox") + "?tab=new"
    assert "Tin nhắn mới" not in client.get(inbox).content.decode()
    conversation.post_message(dossier=dossier, author=citizen, text="Hỏi")
    assert "Tin nhắn mới" in client.get(inbox).content.decode()
    # The agency administrator opens it (they see it, they do not answer): still unread.
    login_officer(client, org.admin)
    assert client.get(officer_url(dossier)).status_code == 200
    login_officer(client, org.desk_officer)
    assert "Tin nhắn mới" in client.get(inbox).content.decode()
    client.get(officer_url(dossier))
    assert "Tin nhắn mới" not in client.get(inbox).content.decode()
