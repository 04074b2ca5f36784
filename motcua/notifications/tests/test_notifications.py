"""The applicant is told of every change of their dossier, once, by the channels they chose,
in their language; failures are retried, fall back, and are shown to the desk."""

import smtplib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.testing import login_officer
from motcua.core import outbox
from motcua.core.events import VerificationCodeIssued
from motcua.core.models import OutboxEvent
from motcua.core.registry import Registry
from motcua.factories import UserFactory, make_submitted_dossier
from motcua.notifications import services, views
from motcua.notifications.admin import save_new_version
from motcua.notifications.channels import Channel, ChannelError, Sent
from motcua.notifications.contrib.email.plugin import EmailChannel
from motcua.notifications.contrib.portal.plugin import PortalChannel
from motcua.notifications.models import Delivery, Notification, NotificationTemplate
from motcua.workflow.machine import perform


class FakeSms(Channel):
    """A test SMS provider: remembers what it took, or refuses as told."""

    label = "Tin nhắn SMS"
    sent: list = []
    refuse: ChannelError | None = None

    def address(self, user) -> str:
        return user.phone or ""

    def send(self, *, address, message, reference):
        if FakeSms.refuse is not None:
            raise FakeSms.refuse
        FakeSms.sent.append((address, message.text))
        return Sent(provider_ref=f"sms-{reference}")


@pytest.fixture
def sms(monkeypatch):
    """The channels e-mail, portal and a test SMS, in a fresh registry."""
    registry = Registry("Notification channel")
    registry.register("email")(EmailChannel)
    registry.register("portal")(PortalChannel)
    registry.register("sms")(FakeSms)
    monkeypatch.setattr(services, "channels", registry)
    monkeypatch.setattr(views, "channels", registry)
    FakeSms.sent = []
    FakeSms.refuse = None
    return FakeSms


@pytest.fixture
def admin_client(client, make_officer):
    """An administrator with a verified second factor (the admin asks officers for it)."""
    login_officer(client, make_officer(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def dossier(org, procedure, citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_submitted_dossier(procedure, citizen)


def act(django_capture_on_commit_callbacks, dossier, action, actor, **kw):
    with django_capture_on_commit_callbacks(execute=True):
        return perform(dossier_id=dossier.pk, action=action, actor=actor, **kw)


def accepted_mails(citizen):
    return [m for m in mail.outbox if m.to == [citizen.email] and "tiếp nhận" in m.subject]


def test_accepting_tells_the_applicant_the_agency_officers_and_times(
    dossier, org, citizen, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    dossier = act(django_capture_on_commit_callbacks, dossier, "accept", org.desk_officer)

    notice = Notification.objects.get(user=citizen, kind="accepted")
    due = timezone.localtime(dossier.due_at).strftime("%d/%m/%Y %H:%M")
    for fact in (
        dossier.receiving_agency.name,
        f"Người tiếp nhận: {org.desk_officer.full_name}",
        "Thời điểm tiếp nhận: ",
        "Thời điểm xử lý: ",
        f"Hẹn trả kết quả: {due}",
        "Thời điểm trả kết quả: ",
        dossier.code,
    ):
        assert fact in notice.text
    assert due in notice.title
    receipt = dossier.documents.get(kind="receipt")
    assert reverse("documents:pdf", args=[dossier.uuid, receipt.pk]) in notice.text
    (message,) = accepted_mails(citizen)
    assert message.body == notice.text
    assert message.alternatives[0][1] == "text/html"
    assert {d.channel: d.status for d in notice.deliveries.all()} == {
        "portal": Delivery.Status.DELIVERED,
        "email": Delivery.Status.SENT,
    }


def test_a_subscriber_run_again_makes_no_second_notification_or_mail(
    dossier, org, citizen, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    act(django_capture_on_commit_callbacks, dossier, "accept", org.desk_officer)
    row = OutboxEvent.objects.get(name="dossier.accepted")
    for _ in range(2):  # the outbox delivers it again (a worker killed before its strike-off)
        OutboxEvent.objects.filter(pk=row.pk).update(
            pending=["notifications.dossier.accepted"],
            next_attempt_at=timezone.now(),
            delivered_at=None,
        )
        assert outbox.deliver(row.pk)

    assert Notification.objects.filter(user=citizen, kind="accepted").count() == 1
    assert len(accepted_mails(citizen)) == 1


def test_a_mail_server_failure_is_retried_and_the_mail_goes_once(
    dossier, org, citizen, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")

    mail.outbox.clear()
    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    act(django_capture_on_commit_callbacks, dossier, "accept", org.desk_officer)
    delivery = Delivery.objects.get(notification__kind="accepted", channel="email")
    assert delivery.status == Delivery.Status.QUEUED
    assert "connection unexpectedly closed" in delivery.reason
    assert accepted_mails(citizen) == []

    monkeypatch.undo()
    call_command("deliver_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert accepted_mails(citizen) == []  # not due yet: backoff
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    call_command("deliver_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("deliver_notifications", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(accepted_mails(citizen)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 2)


def test_a_temporary_failure_given_up_after_the_last_try_falls_back(
    dossier, org, citizen, sms, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    services.set_channels(user=citizen, chosen=["sms"])
    sms.refuse = ChannelError("Nhà mạng bận")
    mail.outbox.clear()
    act(django_capture_on_commit_callbacks, dossier, "accept", org.desk_officer)
    assert accepted_mails(citizen) == []
    Delivery.objects.filter(channel="sms").update(next_attempt_at=timezone.now())
    services.deliver_due()

    failed = Delivery.objects.get(channel="sms")
    assert (failed.status, failed.attempts, failed.reason) == ("failed", 2, "Nhà mạng bận")
    assert len(accepted_mails(citizen)) == 1


def test_a_permanent_sms_failure_falls_back_to_email_and_is_shown_to_the_desk(
    client, dossier, org, citizen, sms, django_capture_on_commit_callbacks
):
    services.set_channels(user=citizen, chosen=["sms"])
    sms.refuse = ChannelError("Số thuê bao không tồn tại", permanent=True)
    mail.outbox.clear()
    act(django_capture_on_commit_callbacks, dossier, "accept", org.desk_officer)

    failed = Delivery.objects.get(channel="sms")
    assert failed.status == Delivery.Status.FAILED and failed.attempts == 1
    fallback = Delivery.objects.get(channel="email", notification=failed.notification)
    assert fallback.fallback_of == failed and fallback.status == Delivery.Status.SENT
    assert len(accepted_mails(citizen)) == 1

    login_officer(client, org.desk_officer)
    page = client.get(reverse("workflow:dossier", args=[dossier.uuid])).content.decode()
    assert "Thông báo chưa đến được người nộp" in page
    assert "Số thuê bao không tồn tại" in page
    assert "09******78" in page


def test_the_desk_sees_no_failure_panel_when_everything_arrived(
    client, dossier, org, django_capture_on_commit_callbacks
):
    act(django_capture_on_commit_callbacks, dossier, "accept", org.desk_officer)
    login_officer(client, org.desk_officer)
    page = client.get(reverse("workflow:dossier", args=[dossier.uuid])).content.decode()
    assert "Thông báo chưa đến được người nộp" not in page


def test_the_applicant_who_switched_sms_off_gets_none(
    dossier, org, citizen, sms, django_capture_on_commit_callbacks
):
    services.set_channels(user=citizen, chosen=["email"])
    act(django_capture_on_commit_callbacks, dossier, "accept", org.desk_officer)
    assert sms.sent == []
    assert not Delivery.objects.filter(channel="sms").exists()

    services.set_channels(user=citizen, chosen=["email", "sms"])
    services.notify(
        source="test:1", kind="status_changed", context={}, user=citizen, dossier=dossier
    )
    assert [address for address, _text in sms.sent] == [citizen.phone]


def test_an_account_registered_by_phone_is_told_by_sms_until_it_chooses(
    procedure, org, sms, django_capture_on_commit_callbacks
):
    by_phone = UserFactory(email=None, phone="0912345678")
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_submitted_dossier(procedure, by_phone)
    act(django_capture_on_commit_callbacks, dossier, "accept", org.desk_officer)
    assert [address for address, _text in sms.sent][-1] == "0912345678"

    services.set_channels(user=by_phone, chosen=[])  # the portal alone, by choice
    sms.sent.clear()
    services.notify(source="test:2", kind="status_changed", context={}, user=by_phone)
    assert sms.sent == []


def test_security_mail_cannot_be_switched_off(citizen, sms, django_capture_on_commit_callbacks):
    services.set_channels(user=citizen, chosen=[])  # only the portal for dossiers
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outbox.publish(VerificationCodeIssued(user_id=citizen.pk, code="654321"))
    assert [m.to for m in mail.outbox] == [[citizen.email]]
    assert "654321" in mail.outbox[0].body
    assert not Notification.objects.filter(text__contains="654321").exists()


def test_the_notification_is_written_in_the_recipients_language(
    dossier, org, citizen, django_capture_on_commit_callbacks
):
    citizen.language = "en"
    citizen.save(update_fields=["language"])
    mail.outbox.clear()
    act(django_capture_on_commit_callbacks, dossier, "accept", org.desk_officer)
    notice = Notification.objects.get(user=citizen, kind="accepted")
    assert notice.title.startswith(f"Dossier {dossier.code} accepted")
    assert "Received by: " in notice.text and "Người tiếp nhận" not in notice.text
    assert notice.language == "en"
    assert [m.subject for m in mail.outbox if m.to == [citizen.email]] == [notice.title]


def test_switching_the_language_while_logged_in_remembers_it(client, citizen):
    client.force_login(citizen)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    citizen.refresh_from_db()
    assert citizen.language == "en"


def test_a_template_with_an_unknown_variable_or_a_syntax_error_is_refused(db):
    unknown = NotificationTemplate(
        kind="accepted", language="vi", subject="Hồ sơ {{ code }}", text="{{ ma_bi_mat }}"
    )
    with pytest.raises(ValidationError) as refused:
        unknown.full_clean()
    assert "ma_bi_mat" in str(refused.value.message_dict["text"])

    broken = NotificationTemplate(
        kind="accepted", language="vi", subject="{% if code %}Hồ sơ", text="Được"
    )
    with pytest.raises(ValidationError) as refused:
        broken.full_clean()
    assert "Lỗi cú pháp" in str(refused.value.message_dict["subject"])

    reaching_out = NotificationTemplate(
        kind="accepted", language="vi", subject="Hồ sơ", text="{% include 'base.html' %}"
    )
    with pytest.raises(ValidationError):
        reaching_out.full_clean()

    fine = NotificationTemplate(
        kind="accepted",
        language="vi",
        subject="Hồ sơ {{ code|upper }}",
        text="{% if due_date %}Hẹn {{ due_date }}{% endif %}",
    )
    fine.full_clean(exclude=["version"])


def test_an_edited_template_is_a_new_version_used_from_then_on_and_the_old_is_kept(
    admin_client, dossier, org, citizen, django_capture_on_commit_callbacks
):
    first = NotificationTemplate.objects.get(kind="accepted", language="vi", version=1)
    response = admin_client.post(
        reverse("admin:notifications_notificationtemplate_change", args=[first.pk]),
        {
            "kind": "accepted",
            "language": "vi",
            "active": "on",
            "subject": "Đã nhận hồ sơ {{ code }} — hẹn {{ due_date }}",
            "text": "Cơ quan {{ agency }} hẹn trả ngày {{ due_date }}.",
            "html": "",
            "sms": "",
        },
    )
    assert response.status_code == 302
    second = NotificationTemplate.objects.get(kind="accepted", language="vi", version=2)
    first.refresh_from_db()
    assert first.subject.startswith("Hồ sơ {{ code }} đã được tiếp nhận")

    act(django_capture_on_commit_callbacks, dossier, "accept", org.desk_officer)
    notice = Notification.objects.get(user=citizen, kind="accepted")
    assert notice.template == second
    assert notice.title.startswith(f"Đã nhận hồ sơ {dossier.code}")


def test_the_admin_refuses_an_unknown_variable_and_shows_a_preview(admin_client):
    first = NotificationTemplate.objects.get(kind="sent_by_post", language="vi", version=1)
    url = reverse("admin:notifications_notificationtemplate_change", args=[first.pk])
    page = admin_client.get(url).content.decode()
    assert "VN123456789" in page  # the preview, with sample data
    response = admin_client.post(
        url,
        {
            "kind": "sent_by_post",
            "language": "vi",
            "active": "on",
            "subject": "{{ so_buu_gui }}",
            "text": "x",
        },
    )
    assert response.status_code == 200
    assert "so_buu_gui" in response.content.decode()
    assert NotificationTemplate.objects.filter(kind="sent_by_post", language="vi").count() == 1


def test_save_new_version_numbers_on(db):
    first = NotificationTemplate.objects.get(kind="refused", language="en", version=1)
    first.subject = "Refused"
    again = save_new_version(first)
    assert again.version == 2
    assert (
        NotificationTemplate.objects.get(kind="refused", language="en", version=1).subject
        != "Refused"
    )


def test_a_fresh_install_has_a_vietnamese_and_an_english_template_of_every_kind(db):
    from motcua.notifications.kinds import KINDS

    for kind in KINDS:
        for language in ("vi", "en"):
            assert NotificationTemplate.objects.filter(kind=kind, language=language).exists()


def _notice(user, title, **kw):
    n = services.notify(
        source=f"test:{title}", kind="status_changed", context={"code": title}, user=user, **kw
    )
    n.refresh_from_db()
    return n


def test_the_header_shows_the_unread_count_and_the_centre_marks_them_read(client, citizen):
    _notice(citizen, "A")
    _notice(citizen, "B")
    client.force_login(citizen)
    page = client.get(reverse("notifications:centre")).content.decode()
    assert '2<span class="visually-hidden"> chưa đọc</span>' in page
    assert page.index("Hồ sơ B") < page.index("Hồ sơ A")  # newest first

    client.post(reverse("notifications:read_all"))
    page = client.get(reverse("notifications:centre")).content.decode()
    assert "chưa đọc</span>" not in page


def test_nobody_can_read_or_mark_someone_elses_notification(client, citizen, other_citizen):
    theirs = _notice(citizen, "C")
    client.force_login(other_citizen)
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    assert "Hồ sơ C" not in client.get(reverse("notifications:centre")).content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None

    client.force_login(citizen)
    response = client.post(reverse("notifications:read", args=[theirs.pk]))
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.read_at is not None


def test_the_centre_asks_a_stranger_to_log_in(client):
    response = client.get(reverse("notifications:centre"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_choosing_sms_without_a_phone_is_refused_and_changes_nothing(db, client, sms):
    user = UserFactory(phone=None)
    client.force_login(user)
    response = client.post(
        reverse("notifications:preferences"), {"channel_sms": "on", "language": "vi"}
    )
    assert response.status_code == 200
    assert "chưa có địa chỉ cho kênh" in response.content.decode()
    assert services.chosen_channels(user) == ["portal", "email"]

    response = client.post(reverse("notifications:preferences"), {"language": "en"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert services.chosen_channels(user) == ["portal"] and user.language == "en"


def test_a_message_from_the_applicant_tells_the_officers_of_the_current_unit(
    dossier, org, citizen, django_capture_on_commit_callbacks
):
    from motcua.core.events import DossierMessagePosted

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outbox.publish(
            DossierMessagePosted.about(dossier, action="message", actor=citizen, message_id=1)
        )
    told = set(Notification.objects.filter(kind="message_to_unit").values_list("user", flat=True))
    assert org.desk_officer.pk in told and citizen.pk not in told
    assert org.desk_officer.email in [m.to[0] for m in mail.outbox]


def test_a_message_on_an_ended_dossier_tells_the_desk_that_answers_it(
    dossier, org, citizen, django_capture_on_commit_callbacks
):
    """The desk answers once the dossier has left every unit (access.answering_unit): it is
    the desk that hears of the applicant's message, not nobody, and not the administrator."""
    from motcua.core.events import DossierMessagePosted
    from motcua.dossiers.models import Dossier

    Dossier.objects.filter(pk=dossier.pk).update(current_unit=None)
    dossier.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        outbox.publish(
            DossierMessagePosted.about(dossier, action="message", actor=citizen, message_id=1)
        )
    told = set(Notification.objects.filter(kind="message_to_unit").values_list("user", flat=True))
    assert org.desk_officer.pk in told
    assert org.specialist.pk not in told and citizen.pk not in told


def test_a_delivery_report_marks_the_sms_delivered(citizen, sms):
    services.set_channels(user=citizen, chosen=["sms"])
    n = _notice(citizen, "D")
    delivery = n.deliveries.get(channel="sms")
    assert delivery.status == Delivery.Status.SENT
    from motcua.core.events import DeliveryReported
    from motcua.notifications.subscribers import record_delivery_report

    for _ in range(2):
        record_delivery_report(
            DeliveryReported(channel="sms", provider_ref=delivery.provider_ref, delivered=True)
        )
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED


def test_a_person_without_an_account_is_told_at_the_address_the_event_gives(
    db, django_capture_on_commit_callbacks
):
    from motcua.core.events import PetitionChanged

    mail.outbox.clear()
    event = PetitionChanged(
        petition_id=7,
        code="PA-2026-0007",
        action="answered",
        status="answered",
        email="khach@example.vn",
        language="en",
        path="/feedback/PA-2026-0007/",
    )
    with django_capture_on_commit_callbacks(execute=True):
        row = outbox.publish(event)
    for _ in range(2):  # delivered again by the outbox: told once
        OutboxEvent.objects.filter(pk=row.pk).update(
            pending=["notifications.petition.changed"], next_attempt_at=timezone.now()
        )
        outbox.deliver(row.pk)
    (message,) = mail.outbox
    assert message.to == ["khach@example.vn"]
    assert message.subject == "Feedback PA-2026-0007: Answered"
    assert "/feedback/PA-2026-0007/" in message.body
    notice = Notification.objects.get()
    assert notice.user is None and [d.channel for d in notice.deliveries.all()] == ["email"]


def test_an_ended_dossier_invites_the_applicant_to_rate_it(
    dossier, org, citizen, django_capture_on_commit_callbacks
):
    from motcua.workflow.machine import ReasonInput

    act(
        django_capture_on_commit_callbacks,
        dossier,
        "refuse",
        org.desk_officer,
        data=ReasonInput(reason="Thiếu giấy tờ"),
    )
    notice = Notification.objects.get(user=citizen, kind="refused")
    assert reverse("dossiers:detail", args=[dossier.uuid]) + "#rating" in notice.text
