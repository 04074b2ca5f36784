"""Level 1 (issue 17): the person is told by the rule's channels, with the link; their page
shows what falls due and lets them refuse proactive services."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from motcua.core.models import AuditEntry, OutboxEvent
from motcua.core.outbox import deliver
from motcua.factories import ProcedureFactory
from motcua.notifications import services
from motcua.notifications.contrib.sms_sandbox.models import SandboxSms
from motcua.notifications.models import Delivery, Notification
from motcua.proactive import choices, items
from motcua.proactive.job import send_reminders
from motcua.proactive.models import OptOut, Reminder
from motcua.proactive.tests.conftest import make_badge_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def badges(org, badge_procedure, citizen):
    result = make_badge_result(
        badge_procedure, citizen, {"75B-012.34": "31/12/2027", "75B-567.89": "30/12/2027"}
    )
    items.index_result(result)
    return result


def test_the_reminder_reaches_the_centre_and_the_phone_with_its_link(
    client,
    rule,
    holiday,
    badges,
    citizen,
    in_process_http,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(today=date(2027, 12, 17))
    reminder = Reminder.objects.get()
    assert reminder.ready_at is not None
    path = f"/proactive/r/{reminder.uuid}/"
    notice = Notification.objects.get(kind="proactive_reminder")
    assert notice.user == citizen and notice.link == path
    assert "30/12/2027" in notice.title
    first, second = (b["number"] for b in badges.data["badges"])  # numbered per test run
    assert f"Phù hiệu số {first}, xe 75B-012.34 — 31/12/2027" in notice.text
    assert f"Phù hiệu số {second}, xe 75B-567.89 — 30/12/2027" in notice.text
    assert "/proactive/" in notice.text and "chuẩn bị sẵn" not in notice.text
    # The rule says SMS: the portal always, the SMS, not the e-mail the person would get.
    assert set(Delivery.objects.values_list("channel", flat=True)) == {"portal", "sms"}
    sms = SandboxSms.objects.get()
    assert sms.phone == "84912345678" and sms.content.endswith(path)
    assert "30/12/2027" in sms.content
    client.force_login(citizen)
    centre = client.get("/notifications/").content.decode()
    assert "30/12/2027" in centre
    # Told once: the chain run again tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(today=date(2027, 12, 17))
    assert Notification.objects.filter(kind="proactive_reminder").count() == 1


def test_no_notice_to_a_person_who_refused_once_the_reminder_was_ready(
    rule, holiday, badges, citizen, django_capture_on_commit_callbacks
):
    """Refused after the reminder was made ready (prepared), before its notice went out."""
    send_reminders(today=date(2027, 12, 17))  # recorded; the chain runs step by step
    deliver(OutboxEvent.objects.get(name="proactive.reminder_due").pk, fresh=True)
    assert Reminder.objects.get().ready_at is not None
    choices.refuse(user=citizen)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(OutboxEvent.objects.get(name="proactive.reminder_ready").pk, fresh=True)
    assert not Notification.objects.filter(kind="proactive_reminder").exists()
    assert not Delivery.objects.exists()


def test_the_notice_names_the_offered_procedure_in_force(
    rule, holiday, badges, badge_procedure, citizen, django_capture_on_commit_callbacks
):
    """A new version of the offered procedure, published ahead of its date, is not offered
    yet: the notice names the version the link starts."""
    ProcedureFactory(
        code=badge_procedure.code,
        name="Cấp phù hiệu (phiên bản sắp có hiệu lực)",
        agency=badge_procedure.agency,
        effective_from=timezone.localdate() + timedelta(days=30),
    )
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(today=date(2027, 12, 17))
    notice = Notification.objects.get(kind="proactive_reminder")
    assert badge_procedure.name in notice.text
    assert "sắp có hiệu lực" not in notice.text


def test_a_rule_without_channels_follows_the_persons_choice(citizen):
    services.set_channels(user=citizen, chosen=["email"])
    mine = services.notify(
        source="t:1",
        kind="proactive_reminder",
        context={},
        user=citizen,
        rule_channels=[],
        send=False,
    )
    assert set(mine.deliveries.values_list("channel", flat=True)) == {"portal", "email"}
    told = services.notify(
        source="t:2",
        kind="proactive_reminder",
        context={},
        user=citizen,
        rule_channels=["sms", "pigeon"],
        send=False,
    )
    assert set(told.deliveries.values_list("channel", flat=True)) == {"portal", "sms"}


def page(client, user) -> str:
    client.force_login(user)
    return client.get("/proactive/").content.decode()


def test_the_page_shows_what_falls_due_with_its_badge(
    client, rule, badges, org, badge_procedure, citizen, other_citizen, clock
):
    expired = make_badge_result(badge_procedure, citizen, {"75B-999.00": "01/12/2027"})
    later = make_badge_result(badge_procedure, citizen, {"75B-888.00": "31/12/2030"})
    for r in (expired, later):
        items.index_result(r)
    clock.set(2027, 12, 16)  # ten working days before 30/12 (no day off here)
    html = page(client, citizen)
    assert "xe 75B-012.34" in html and "31/12/2027" in html
    # What is still to come first, soonest first; what has lapsed after it.
    assert html.index("75B-567.89") < html.index("75B-012.34") < html.index("75B-888.00")
    assert html.index("75B-888.00") < html.index("75B-999.00")
    row = html[html.index("75B-567.89") :].split("</tr>")[0]
    assert "Sắp hết hạn" in row
    assert "Đã hết hạn" in html[html.index("75B-999.00") :].split("</tr>")[0]
    far = html[html.index("75B-888.00") :].split("</tr>")[0]
    assert "Sắp hết hạn" not in far and "Đã hết hạn" not in far
    assert "75B-012.34" not in page(client, other_citizen)


def test_the_page_lists_the_reminders_with_their_links(
    client, rule, holiday, badges, citizen, other_citizen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(today=date(2027, 12, 17))
    reminder = Reminder.objects.get()
    assert f'href="/proactive/r/{reminder.uuid}/"' in page(client, citizen)
    assert str(reminder.uuid) not in page(client, other_citizen)


def test_refusing_and_accepting_from_the_page(client, citizen, other_citizen, clock):
    clock.set(2027, 12, 10)
    html = page(client, citizen)
    assert "Đang nhận" in html and 'value="refuse"' in html
    response = client.post("/proactive/choice/", {"choice": "refuse"})
    assert response.status_code == 302 and response["Location"] == "/proactive/"
    assert OptOut.objects.filter(user=citizen).exists()
    assert not OptOut.objects.filter(user=other_citizen).exists()
    html = client.get("/proactive/").content.decode()
    assert "đã từ chối dịch vụ chủ động từ ngày 10/12/2027" in html
    assert 'value="accept"' in html
    entry = AuditEntry.objects.get(action="proactive.refuse")
    assert entry.actor == citizen
    assert 'value="refuse"' in page(client, other_citizen)  # per person
    client.force_login(citizen)
    client.post("/proactive/choice/", {"choice": "accept"})
    assert not OptOut.objects.exists()
    response = client.post("/proactive/choice/", {"choice": "maybe"}, follow=True)
    assert "Vui lòng chọn đồng ý hoặc từ chối" in response.content.decode()


def test_the_page_is_for_applicants(client, org):
    assert client.get("/proactive/").status_code == 302
    assert client.post("/proactive/choice/", {"choice": "refuse"}).status_code == 302
    client.force_login(org.desk_officer)
    assert client.get("/proactive/").status_code == 403


def test_choosing_needs_a_post(client, citizen):
    client.force_login(citizen)
    assert client.get("/proactive/choice/").status_code == 405


def test_the_wording_is_shipped_and_says_when_the_dossier_is_prepared():
    from motcua.notifications import rendering
    from motcua.notifications.loading import load_defaults
    from motcua.notifications.models import NotificationTemplate

    # What an installation loads (the migration, load_notification_templates); a test run
    # before this one may have emptied the table.
    load_defaults(NotificationTemplate)
    assert set(
        NotificationTemplate.objects.filter(kind="proactive_reminder").values_list(
            "language", flat=True
        )
    ) == {"vi", "en"}
    context = {
        "name": "Công ty Hương Giang",
        "procedure": "Cấp lại phù hiệu",
        "items": "- Phù hiệu số 12/2026/PH, xe 75B-012.34 — 31/12/2027",
        "due_date": "31/12/2027",
        "prepared": True,
        "link": "https://dichvucong.example.vn/proactive/r/x/",
        "site_url": "https://dichvucong.example.vn",
    }
    vi = rendering.render("proactive_reminder", "vi", context)
    assert "Hồ sơ đã được chuẩn bị sẵn, Quý vị chỉ cần kiểm tra và xác nhận" in vi.text
    assert "Mở hồ sơ đã chuẩn bị: https://dichvucong.example.vn/proactive/r/x/" in vi.text
    assert "chuẩn bị sẵn" in vi.sms and vi.sms.endswith("/proactive/r/x/")
    en = rendering.render("proactive_reminder", "en", context)
    assert "The dossier has been prepared for you" in en.text
    assert "turn proactive services off at https://dichvucong.example.vn/proactive/" in en.text


def test_a_fleets_lapsed_badges_do_not_hide_what_falls_due(
    client, rule, org, badge_procedure, citizen, clock
):
    """An operator with 150 badges lapsed and never renewed (some long ago) and three
    falling due: the three come first; the lapsed ones of the last 90 days after them."""
    from motcua.proactive.models import DueItem

    result = make_badge_result(badge_procedure, citizen, {"75B-000.00": "31/12/2030"})
    items.index_result(result)
    lapsed = [
        DueItem(
            result=result,
            holder=citizen,
            procedure_code="2.002288",
            due="valid_until",
            subject=f"75B-{n:03d}.11",
            label=f"Phù hiệu cũ, xe 75B-{n:03d}.11",
            due_on=date(2027, 12, 15) - timedelta(days=n),
        )
        for n in range(1, 151)
    ]
    coming = [
        DueItem(
            result=result,
            holder=citizen,
            procedure_code="2.002288",
            due="valid_until",
            subject=f"43A-{n}",
            label=f"Phù hiệu mới, xe 43A-{n}",
            due_on=date(2028, 1, n),
        )
        for n in (1, 2, 3)
    ]
    DueItem.objects.bulk_create(lapsed + coming)
    clock.set(2027, 12, 16)
    html = page(client, citizen)
    due = html[html.index('id="due-items"') : html.index("</table>", html.index('id="due-items"'))]
    assert all(f"xe 43A-{n}" in due for n in (1, 2, 3)) and "75B-001.11" not in due
    expired = html[html.index('id="expired-items"') :]
    assert "xe 75B-001.11" in expired and "xe 75B-089.11" in expired
    assert "xe 75B-091.11" not in html  # more than 90 days ago
    assert expired.index("75B-001.11") < expired.index("75B-002.11")  # latest first
    assert "Các giấy tờ hết hạn trước đó không hiển thị ở đây." in html
