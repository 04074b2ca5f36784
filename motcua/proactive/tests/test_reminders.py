"""Level 1 (issue 17): what falls due is reminded once, at the configured offset on the
working-day calendar, never for a revoked or renewed result, never to a person who refused."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.core.models import AuditEntry, OutboxEvent
from motcua.factories import UserFactory
from motcua.proactive import choices, items
from motcua.proactive.job import send_reminders
from motcua.proactive.models import Due, DueItem, Reminder, ReminderItem, ReminderRule
from motcua.proactive.tests.conftest import make_badge_result
from motcua.results.services import revoke_result
from motcua.results.tests.conftest import approve
from motcua.workdays.services import working_days_after

pytestmark = pytest.mark.django_db

DEC = 12


def sent_on(day: int, month: int = DEC, year: int = 2027) -> int:
    return send_reminders(today=date(year, month, day))["reminders"]


@pytest.fixture
def badge(org, badge_procedure, citizen):
    result = make_badge_result(badge_procedure, citizen, {"75B-012.34": "31/12/2027"})
    items.index_result(result)
    return result


def test_the_reminder_fires_once_at_each_offset_on_the_working_day_calendar(
    rule, holiday, badge, citizen
):
    assert working_days_after(date(2027, 12, 16), 10) == date(2027, 12, 31)
    assert sent_on(15) == 0  # the day before
    assert sent_on(16) == 1  # ten working days before 31/12, the day off not counted
    assert sent_on(16) == 0  # a second run the same day
    assert sent_on(17) == 0  # the next day
    assert sent_on(21) == 0  # ten calendar days before: nothing either
    assert sent_on(27) == 0
    assert sent_on(28) == 1  # three working days before
    assert sent_on(29) == 0
    occasions = list(ReminderItem.objects.order_by("pk").values_list("offset", "due_on"))
    assert occasions == [(10, date(2027, 12, 31)), (3, date(2027, 12, 31))]
    reminders = list(Reminder.objects.order_by("pk"))
    assert [r.day for r in reminders] == [date(2027, 12, 16), date(2027, 12, 28)]
    assert all(r.holder == citizen for r in reminders)
    assert OutboxEvent.objects.filter(name="proactive.reminder_due").count() == 2


def test_a_job_that_missed_days_reminds_once_with_the_nearest_offset(rule, holiday, badge):
    assert sent_on(29) == 1
    assert list(ReminderItem.objects.values_list("offset", flat=True)) == [3]
    assert sent_on(30) == 0


def test_nothing_is_reminded_past_the_due_date(rule, badge):
    assert send_reminders(today=date(2028, 1, 3))["items_due"] == 0


def test_a_holders_badges_are_reminded_in_one_message(
    rule, org, badge_procedure, citizen, other_citizen
):
    result = make_badge_result(
        badge_procedure,
        citizen,
        {"75B-012.34": "31/12/2027", "75B-567.89": "30/12/2027", "75B-111.22": "29/12/2027"},
    )
    other = make_badge_result(badge_procedure, other_citizen, {"43A-999.99": "31/12/2027"})
    for r in (result, other):
        items.index_result(r)
    counts = send_reminders(today=date(2027, 12, 17))
    assert counts["reminders"] == 2 and counts["items_due"] == 4
    mine = Reminder.objects.get(holder=citizen)
    assert mine.items.count() == 3 and mine.due_on == date(2027, 12, 29)
    assert Reminder.objects.get(holder=other_citizen).items.count() == 1


def test_a_revoked_result_is_never_reminded(
    rule, org, badge_procedure, citizen, clock, django_capture_on_commit_callbacks
):
    from motcua.factories import make_submitted_dossier
    from motcua.results.tests.conftest import badge_form, vehicle

    clock.set(2026, 12, 7)
    dossier = make_submitted_dossier(
        badge_procedure,
        citizen,
        form_data=badge_form(vehicle("75B-012.34", service_life_year=2027)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = approve(dossier, org).results.get()
    # Issued: its badge falls due at the end of the vehicle's service life.
    item = DueItem.objects.get(result=result, due=Due.VALID_UNTIL)
    assert (item.subject, item.due_on, item.state) == ("75B-012.34", date(2027, 12, 31), "active")
    assert item.holder == citizen and item.label.endswith(", xe 75B-012.34")
    assert DueItem.objects.get(result=result, due=Due.SERVICE_LIFE).due_on == date(2027, 12, 31)
    with django_capture_on_commit_callbacks(execute=True):
        revoke_result(result=result, actor=org.leader, reason="Cấp nhầm xe")
    assert set(DueItem.objects.values_list("state", flat=True)) == {"revoked"}
    assert sent_on(17) == 0


def test_a_revocation_not_yet_indexed_is_caught_at_send_time(rule, org, badge_procedure, citizen):
    result = make_badge_result(badge_procedure, citizen, {"75B-012.34": "31/12/2027"})
    items.index_result(result)
    from motcua.signing.models import Revocation, VerifiableDocument

    document = VerifiableDocument.objects.create(
        token="t" * 20,
        sha256=result.sha256,
        kind="badge",
        title=result.title,
        number=result.number,
        issued_at=result.issued_at,
        agency=result.agency,
        dossier=result.dossier,
        result=result,
        signer="Thử nghiệm",
    )
    Revocation.objects.create(document=document, revoked_by=org.leader, reason="Cấp nhầm")
    counts = send_reminders(today=date(2027, 12, 17))
    assert counts["reminders"] == 0 and counts["skipped_revoked"] == 1
    assert DueItem.objects.get().state == DueItem.State.REVOKED


def test_a_renewed_badge_is_never_reminded(rule, holiday, org, badge_procedure, citizen):
    old = make_badge_result(badge_procedure, citizen, {"75B-012.34": "31/12/2027"})
    items.index_result(old)
    new = make_badge_result(badge_procedure, citizen, {"75B-012.34": "30/11/2034"})
    items.index_result(new)
    old_item = DueItem.objects.get(result=old)
    assert (old_item.state, old_item.renewed_by) == (DueItem.State.RENEWED, new)
    assert sent_on(16) == 0
    # The new badge is the one reminded from now on.
    assert DueItem.objects.get(result=new).state == DueItem.State.ACTIVE


def test_indexing_out_of_order_still_sees_the_renewal(rule, org, badge_procedure, citizen):
    new = make_badge_result(badge_procedure, citizen, {"75B-012.34": "30/11/2034"})
    old = make_badge_result(badge_procedure, citizen, {"75B-012.34": "31/12/2027"})
    call_command("index_due_items", verbosity=0)
    call_command("index_due_items", verbosity=0)  # idempotent
    assert DueItem.objects.count() == 2
    assert DueItem.objects.get(result=old).state == DueItem.State.RENEWED
    assert DueItem.objects.get(result=new).state == DueItem.State.ACTIVE


def test_a_prepared_renewal_renews_the_result_it_was_made_from(rule, org, badge_procedure, citizen):
    old = make_badge_result(badge_procedure, citizen, {"75B-012.34": "31/12/2027"})
    items.index_result(old)
    new = make_badge_result(badge_procedure, citizen, {"75B-012.34": "31/12/2027"})
    new.dossier.proactive = {"result_id": old.pk}
    new.dossier.save(update_fields=["proactive"])
    items.index_result(new)
    assert DueItem.objects.get(result=old).state == DueItem.State.RENEWED


def test_refusing_stops_reminders_and_accepting_restarts_them(rule, holiday, badge, citizen):
    choices.refuse(user=citizen)
    counts = send_reminders(today=date(2027, 12, 16))
    assert counts["reminders"] == 0 and counts["skipped_opted_out"] == 1
    assert AuditEntry.objects.filter(action="proactive.refuse", actor=citizen).count() == 1
    choices.accept(user=citizen)
    assert AuditEntry.objects.filter(action="proactive.accept", actor=citizen).count() == 1
    assert sent_on(17) == 1  # caught up once, at the nearest offset whose day has come
    assert list(ReminderItem.objects.values_list("offset", flat=True)) == [10]


def test_lease_service_life_and_form_dates_are_indexed(org, badge_procedure, citizen):
    ReminderRule.objects.create(
        procedure_code="2.002288",
        name="Giấy phép kinh doanh vận tải hết hạn",
        due=Due.FORM_DATE,
        date_field="vehicles.*.inspection_until",
        offsets=[5],
        offer_code="2.002288",
    )
    result = make_badge_result(
        badge_procedure,
        citizen,
        {"75B-012.34": "30/06/2027", "75B-567.89": "31/12/2030"},
        **{
            "75B-012.34": {
                "ownership": "leased",
                "contract_to": "2027-06-30",
                "service_life_year": 2031,
                "inspection_until": "2027-03-01",
            },
            "75B-567.89": {"inspection_until": "2027-04-01"},
        },
    )
    found = {(i.due, i.subject, i.due_on) for i in items.index_result(result)}
    assert found == {
        ("valid_until", "75B-012.34", date(2027, 6, 30)),
        ("lease_end", "75B-012.34", date(2027, 6, 30)),
        ("service_life", "75B-012.34", date(2031, 12, 31)),
        ("form_date", "75B-012.34", date(2027, 3, 1)),
        ("valid_until", "75B-567.89", date(2030, 12, 31)),
        ("form_date", "75B-567.89", date(2027, 4, 1)),
    }
    items.index_result(result)
    assert DueItem.objects.count() == 6


def test_indexing_a_procedure_reads_its_form_date_rules_once(org, badge_procedure, citizen):
    ReminderRule.objects.create(
        procedure_code="2.002288",
        name="Đăng kiểm hết hạn",
        due=Due.FORM_DATE,
        date_field="vehicles.*.inspection_until",
        offsets=[5],
        offer_code="2.002288",
    )
    for n in range(3):
        plate = f"75B-00{n}.11"
        make_badge_result(
            badge_procedure,
            citizen,
            {plate: "31/12/2030"},
            **{plate: {"inspection_until": f"2027-0{n + 1}-01"}},
        )
    with CaptureQueriesContext(connection) as queries:
        assert items.index_procedure("2.002288") == 3
    assert DueItem.objects.filter(due=Due.FORM_DATE).count() == 3
    rules_read = [q for q in queries if 'FROM "proactive_reminderrule"' in q["sql"]]
    assert len(rules_read) == 1


def test_the_command_runs_for_a_given_day(rule, holiday, badge, capsys):
    call_command("send_proactive_reminders", "--today", "16/12/2027")
    assert "reminders=1" in capsys.readouterr().out
    with pytest.raises(CommandError, match="dd/mm/yyyy"):
        call_command("send_proactive_reminders", "--today", "2027-12-16")


def test_anothers_badge_for_the_same_plate_does_not_renew_mine(
    rule, holiday, org, badge_procedure, badge, citizen
):
    """The coach is sold: its new owner is issued a badge for the same plate. Mine is not
    renewed by it (the same thing is the same holder's plate), and each of us is reminded
    of our own."""
    buyer = UserFactory(full_name="Lê Văn Cường")
    theirs = make_badge_result(badge_procedure, buyer, {"75B-012.34": "30/11/2034"})
    items.index_result(theirs)
    assert DueItem.objects.get(result=badge).state == DueItem.State.ACTIVE
    assert send_reminders(today=date(2027, 12, 16))["reminders"] == 1
    reminder = Reminder.objects.get()
    assert reminder.holder == citizen
    assert [ri.item.result for ri in reminder.items.all()] == [badge]
