"""The proactive services in the demo (decision 0086): the rule, a company badge whose lease
ends so that today is its 30-working-day reminder day, made once; the company reminded once,
its renewal prepared from the register sandboxes and the SMS at the sandbox phone, all
answered in process while the demo loads (no server yet)."""

import io
from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command

from motcua.accounts.models import User
from motcua.dossiers.models import Dossier, Status
from motcua.proactive.models import ReminderRule
from motcua.reports.demo_proactive import BADGE, PLATE, lease_end, load_proactive_demo
from motcua.results.models import ResultDocument
from motcua.workdays.services import working_days_before

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def test_the_lease_ends_when_today_is_the_first_reminder_day():
    monday = date(2026, 12, 7)
    assert working_days_before(lease_end(monday), 30) == monday
    assert working_days_before(lease_end(monday) + date.resolution, 30) > monday
    saturday = date(2026, 12, 12)
    assert working_days_before(lease_end(saturday), 30) == date(2026, 12, 11)


def test_the_demo_rule_and_the_company_badge_falling_due(
    demo, in_process_http, django_capture_on_commit_callbacks
):
    today = date.today()
    # The past's events run after commit; so does the sandbox phone's delivery report of
    # the SMS the demo sent: in_process_http answers it (the server is not up in a test).
    with django_capture_on_commit_callbacks(execute=True):
        outcome = load_proactive_demo(today=today)

    rule = ReminderRule.objects.get()
    assert (rule.procedure_code, rule.due, rule.offer_code) == (BADGE, "valid_until", BADGE)
    assert (rule.offsets, rule.channels, rule.prepare, rule.recommend) == (
        [30, 10],
        ["email", "sms"],
        True,
        True,
    )
    company = User.objects.get(email="doanhnghiep@demo.motcua.vn")
    dossier = outcome.dossier
    assert dossier.applicant == company and dossier.status == Status.RETURNED
    badge = ResultDocument.objects.get(dossier=dossier).data["badges"][0]
    assert badge["plate"] == PLATE
    assert badge["valid_until"] == lease_end(today).strftime("%d/%m/%Y")
    # Applied for about a year ago; nobody was told about that past.
    assert (today - dossier.submitted_at.date()).days > 300
    assert not [m for m in mail.outbox if dossier.code in m.subject + m.body]


def test_the_catalogue_pairs_lead_to_the_same_result(demo):
    from motcua.catalogue.models import Procedure
    from motcua.proactive.levels import procedure_levels

    group = dict(Procedure.objects.values_list("code", "result_group"))
    assert group["1.000703"] == group["2.002286"] == group["2.002287"] != ""
    assert group["1.002788"] == group["1.002787"] != group["1.000703"]
    assert group[BADGE] == ""  # issue and re-issue are one procedure: no alternative
    load_proactive_demo()
    # The demo rule prepares and recommends, but the badge has no alternative: level 2.
    assert procedure_levels()[BADGE] == 2


def test_a_second_run_adds_nothing(demo):
    load_proactive_demo()
    before = (Dossier.objects.count(), ResultDocument.objects.count())
    out = io.StringIO()
    call_command("load_demo_proactive", stdout=out)
    assert (Dossier.objects.count(), ResultDocument.objects.count()) == before
    assert ReminderRule.objects.count() == 1
    assert "Đã có phù hiệu trình diễn" in out.getvalue()


def test_the_company_is_reminded_once_with_its_draft_and_sms(demo):
    from motcua.notifications.contrib.sms_sandbox.models import SandboxSms
    from motcua.proactive.models import DueItem, Reminder

    today = date.today()
    # No on-commit callback runs here: the demo delivers the chain itself, in process.
    outcome = load_proactive_demo(today=today)
    company = User.objects.get(email="doanhnghiep@demo.motcua.vn")
    item = DueItem.objects.get(subject=PLATE, due="valid_until")
    assert item.holder == company and item.due_on == lease_end(today)
    assert outcome.indexed == DueItem.objects.active().filter(procedure_code=BADGE).count()
    assert outcome.job["reminders"] >= 1
    reminder = Reminder.objects.get(holder=company, items__item=item)
    assert reminder.ready_at is not None
    prepared = reminder.dossier
    assert prepared.status == Status.DRAFT and prepared.proactive["refresh_problems"] == []
    assert SandboxSms.objects.filter(content__contains=str(reminder.uuid)).exists()
    load_proactive_demo(today=today)
    assert Reminder.objects.filter(holder=company, items__item=item).count() == 1
