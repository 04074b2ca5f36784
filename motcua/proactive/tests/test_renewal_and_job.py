"""What a renewal replaces, a job that goes on past a bad rule and remembers who was never
told, and prepared drafts that lose their reason (review of issue 17, decision 0084)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from motcua.core.models import AuditEntry
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.helpers import VALID_FORM
from motcua.factories import ProcedureFactory, make_submitted_dossier
from motcua.notifications.models import Notification
from motcua.proactive import choices, items
from motcua.proactive.job import send_reminders
from motcua.proactive.models import Due, DueItem, Reminder, ReminderItem, ReminderRule
from motcua.proactive.tests.conftest import make_badge_result
from motcua.results.models import ResultDocument
from motcua.workdays.services import working_days_before

pytestmark = pytest.mark.django_db


def reminded_labels() -> list[str]:
    return sorted(ReminderItem.objects.values_list("item__label", flat=True))


# --- 1. A re-issue keeping the same date --------------------------------------------------


def test_a_reissue_with_the_same_date_is_reminded_once_the_newer_badge(
    rule, holiday, org, badge_procedure, citizen
):
    old = make_badge_result(badge_procedure, citizen, {"75B-012.34": "31/12/2027"})
    items.index_result(old)
    new = make_badge_result(badge_procedure, citizen, {"75B-012.34": "31/12/2027"})
    items.index_result(new)
    assert DueItem.objects.get(result=old).state == DueItem.State.RENEWED
    assert send_reminders(today=date(2027, 12, 16))["reminders"] == 1
    assert [ri.item.result for ri in ReminderItem.objects.all()] == [new]


def test_same_date_out_of_order_and_at_send_time(rule, holiday, org, badge_procedure, citizen):
    old = make_badge_result(badge_procedure, citizen, {"75B-012.34": "31/12/2027"})
    new = make_badge_result(badge_procedure, citizen, {"75B-012.34": "31/12/2027"})
    items.index_result(new)
    items.index_result(old)  # the older one indexed last: born renewed
    assert DueItem.objects.get(result=old).state == DueItem.State.RENEWED
    # Both still active (the subscriber had not run): the job still reminds the newer only.
    DueItem.objects.update(state=DueItem.State.ACTIVE)
    counts = send_reminders(today=date(2027, 12, 16))
    assert counts["reminders"] == 1 and counts["skipped_renewed"] == 1
    assert [ri.item.result for ri in ReminderItem.objects.all()] == [new]


def test_the_same_service_life_year_is_reminded_once(org, badge_procedure, citizen):
    ReminderRule.objects.create(
        procedure_code="2.002288",
        name="Xe hết niên hạn",
        due=Due.SERVICE_LIFE,
        offsets=[10],
        offer_code="2.002288",
        prepare=False,
        recommend=False,
    )
    life = {"75B-012.34": {"service_life_year": 2027}}
    for until in ("30/06/2027", "30/06/2028"):
        items.index_result(
            make_badge_result(badge_procedure, citizen, {"75B-012.34": until}, **life)
        )
    assert send_reminders(today=date(2027, 12, 17))["items_due"] == 1


# --- 2. Whole results: the same result, not only the same procedure ------------------------


@pytest.fixture
def licences(make_organisation):
    """A transport business licence (new issue) and its re-issue: the same result group."""
    group = "giay-phep-kinh-doanh-van-tai"
    new = ProcedureFactory(code="1.000703", result_group=group)
    reissue = ProcedureFactory(code="2.002286", result_group=group, agency=new.agency)
    make_organisation(new)
    return new, reissue


def licence(procedure, holder, until: str, **proactive) -> ResultDocument:
    dossier = make_submitted_dossier(procedure, holder)
    if proactive:
        Dossier.objects.filter(pk=dossier.pk).update(proactive=proactive)
        dossier.refresh_from_db()
    result = ResultDocument.objects.create(
        dossier=dossier,
        agency=procedure.receiving_agency,
        kind=ResultDocument.Kind.GENERIC,
        title="Giấy phép kinh doanh vận tải",
        number=f"GP-{dossier.pk}",
        issued_by=holder,
        issued_at=timezone.now(),
        data={"valid_until": until},
        pdf="results/test.pdf",
        sha256="0" * 64,
        signer="Thử nghiệm",
    )
    items.index_result(result)
    return result


def state(result) -> str:
    return DueItem.objects.get(result=result).state


def test_a_reissue_through_the_other_procedure_renews_the_licence(licences, citizen, clock):
    new, reissue = licences
    clock.set(2022, 12, 20)
    first = licence(new, citizen, "31/12/2027")
    clock.set(2027, 11, 2)
    again = licence(reissue, citizen, "31/12/2034")
    assert (state(first), state(again)) == ("renewed", "active")


def test_a_second_licence_held_alongside_is_no_renewal(licences, citizen, clock):
    new, _reissue = licences
    clock.set(2022, 12, 20)
    one = licence(new, citizen, "31/12/2027")
    clock.set(2024, 3, 1)
    two = licence(new, citizen, "28/02/2029")
    assert (state(one), state(two)) == ("active", "active")


def test_of_several_licences_due_a_renewal_outside_a_reminder_renews_none(licences, citizen, clock):
    new, reissue = licences
    clock.set(2022, 12, 20)
    one = licence(new, citizen, "31/12/2027")
    clock.set(2023, 1, 20)
    two = licence(new, citizen, "31/01/2028")
    clock.set(2027, 11, 2)
    licence(reissue, citizen, "31/12/2034")
    # Which one was renewed is not known: both keep their reminders (a lapse is worse).
    assert (state(one), state(two)) == ("active", "active")


def test_a_renewal_from_a_reminders_link_renews_exactly_its_licence(licences, citizen, clock):
    new, reissue = licences
    clock.set(2022, 12, 20)
    one = licence(new, citizen, "31/12/2027")
    clock.set(2023, 1, 20)
    two = licence(new, citizen, "31/01/2028")
    rule = ReminderRule.objects.create(
        procedure_code="1.000703",
        name="Giấy phép sắp hết hạn",
        due=Due.VALID_UNTIL,
        offsets=[10],
        offer_code="2.002286",
        prepare=False,
        recommend=False,
    )
    reminder = Reminder.objects.create(
        rule=rule, holder=citizen, day=date(2027, 12, 17), due_on=date(2027, 12, 31)
    )
    ReminderItem.objects.create(
        reminder=reminder,
        rule=rule,
        item=DueItem.objects.get(result=one),
        due_on=date(2027, 12, 31),
        offset=10,
    )
    # Level 1: the dossier started from the link says only which reminder it came from.
    clock.set(2027, 12, 20)
    renewal = licence(reissue, citizen, "31/12/2034", reminder=str(reminder.uuid))
    assert (state(one), state(two)) == ("renewed", "active")
    assert DueItem.objects.get(result=one).renewed_by == renewal


# --- 9. A bad rule does not stop the job ---------------------------------------------------


def test_a_malformed_rule_is_counted_and_the_others_still_remind(
    holiday, org, badge_procedure, citizen, caplog
):
    bad = ReminderRule.objects.create(
        procedure_code="2.002288",
        name="Sửa tay trong shell",
        due=Due.VALID_UNTIL,
        offsets=["mười"],
        offer_code="2.002288",
    )
    ReminderRule.objects.create(  # run after the bad one
        procedure_code="2.002288",
        name="Phù hiệu sắp hết hạn",
        due=Due.VALID_UNTIL,
        offsets=[10, 3],
        offer_code="2.002288",
        prepare=False,
        recommend=False,
    )
    items.index_result(make_badge_result(badge_procedure, citizen, {"75B-012.34": "31/12/2027"}))
    counts = send_reminders(today=date(2027, 12, 16))
    assert counts["failed_rules"] == 1 and counts["reminders"] == 1
    assert f"rule {bad.pk} could not be run" in caplog.text


# --- 10. Refused between the job and the chain, accepted again ------------------------------


def test_a_reminder_nobody_was_told_of_does_not_count_after_a_day(
    rule, holiday, org, badge_procedure, citizen, django_capture_on_commit_callbacks
):
    items.index_result(make_badge_result(badge_procedure, citizen, {"75B-012.34": "31/12/2027"}))
    assert send_reminders(today=date(2027, 12, 16))["reminders"] == 1
    choices.refuse(user=citizen)  # before the chain ran: it tells nobody
    from motcua.core.models import OutboxEvent
    from motcua.core.outbox import deliver

    with django_capture_on_commit_callbacks(execute=True):
        deliver(OutboxEvent.objects.get(name="proactive.reminder_due").pk, fresh=True)
    assert Reminder.objects.get().ready_at is None
    assert not Notification.objects.filter(kind="proactive_reminder").exists()
    choices.accept(user=citizen)
    # Written more than a day ago and never made ready: the occasion is free again.
    Reminder.objects.update(created_at=timezone.now() - timedelta(days=2))
    assert send_reminders(today=date(2027, 12, 17))["reminders"] == 1
    assert list(ReminderItem.objects.values_list("offset", flat=True)) == [10]
    # A reminder made less than a day ago is still on its way: not reminded twice.
    assert send_reminders(today=date(2027, 12, 18))["reminders"] == 0


# --- Drafts prepared for what was revoked or renewed ----------------------------------------


def prepared_for(reminder, procedure, applicant) -> Dossier:
    dossier = services.dossier_prepare(
        procedure=procedure,
        applicant=applicant,
        form_data=VALID_FORM,
        prepared_from=None,
        proactive={"reminder": str(reminder.uuid)},
        level=2,
        expires_at=timezone.now() + timedelta(days=30),
    )
    services.dossier_prepared(dossier=dossier, proactive={"fields_prefilled": 5})
    dossier.refresh_from_db()
    return dossier


def reminder_of(rule, item, offset=10) -> Reminder:
    reminder = Reminder.objects.create(
        rule=rule, holder=item.holder, day=date(2027, 12, 16), due_on=item.due_on
    )
    ReminderItem.objects.create(
        reminder=reminder, rule=rule, item=item, due_on=item.due_on, offset=offset
    )
    return reminder


def test_a_revoked_or_renewed_badge_takes_its_untouched_prepared_draft_away(
    rule, org, badge_procedure, procedure, citizen, clock
):
    from motcua.results.services import revoke_result
    from motcua.results.tests.conftest import approve, badge_form, vehicle

    clock.set(2027, 12, 1)
    dossier = make_submitted_dossier(
        badge_procedure, citizen, form_data=badge_form(vehicle("75B-012.34"))
    )
    revoked = approve(dossier, org).results.get()
    (item,) = items.index_result(revoked)
    untouched = prepared_for(reminder_of(rule, item), procedure, citizen)
    touched = prepared_for(reminder_of(rule, item, 3), procedure, citizen)
    (other,) = items.index_result(
        make_badge_result(badge_procedure, citizen, {"75B-567.89": "31/12/2027"})
    )
    still_due = prepared_for(reminder_of(rule, other), procedure, citizen)
    clock.set(2027, 12, 2)
    services.dossier_save_form(dossier=touched, applicant=citizen, data=VALID_FORM)
    revoke_result(result=revoked, actor=org.leader, reason="Cấp nhầm xe")
    items.revoke_items(revoked.pk)
    assert not Dossier.objects.filter(pk=untouched.pk).exists()
    assert Dossier.objects.filter(pk=touched.pk).exists()  # the person's own work stays
    assert Dossier.objects.filter(pk=still_due.pk).exists()
    entry = AuditEntry.objects.get(action="proactive.discard_stale")
    assert entry.target == f"dossier:{untouched.pk}"
    # Renewed elsewhere (a new badge for the plate): its draft goes too.
    items.index_result(make_badge_result(badge_procedure, citizen, {"75B-567.89": "31/12/2029"}))
    assert not Dossier.objects.filter(pk=still_due.pk).exists()


# --- Second review: form dates, and drafts kept where a renewal is only guessed -------------


def test_a_later_form_date_of_the_same_procedure_renews_the_earlier_one(procedure, citizen, clock):
    ReminderRule.objects.create(
        procedure_code=procedure.code,
        name="Hợp đồng thuê sắp hết hạn",
        due=Due.FORM_DATE,
        date_field="lease.contract_to",
        offsets=[10],
        offer_code=procedure.code,
    )

    def leased_until(day: str) -> ResultDocument:
        dossier = make_submitted_dossier(
            procedure, citizen, form_data={**VALID_FORM, "lease": {"contract_to": day}}
        )
        result = ResultDocument.objects.create(
            dossier=dossier,
            agency=procedure.receiving_agency,
            kind=ResultDocument.Kind.GENERIC,
            title="Giấy phép",
            number=f"GP-{dossier.pk}",
            issued_by=citizen,
            issued_at=timezone.now(),
            data={},
            pdf="results/test.pdf",
            sha256="0" * 64,
            signer="Thử nghiệm",
        )
        items.index_result(result)
        return result

    clock.set(2024, 1, 10)
    first = leased_until("2030-12-31")
    clock.set(2027, 3, 1)  # years before the first lease ends: no whole-result guess
    second = leased_until("2033-12-31")
    assert (state(first), state(second)) == ("renewed", "active")
    # The subscriber had not run: the job reads the same renewal (a date outside a list too).
    DueItem.objects.update(state=DueItem.State.ACTIVE)
    counts = send_reminders(today=working_days_before(date(2030, 12, 31), 10))
    assert (counts["reminders"], counts["skipped_renewed"]) == (0, 1)
    assert (state(first), state(second)) == ("renewed", "active")


def licence_reminder(result, offer: str) -> Reminder:
    rule = ReminderRule.objects.create(
        procedure_code=result.dossier.procedure.code,
        name="Giấy phép sắp hết hạn",
        due=Due.VALID_UNTIL,
        offsets=[10],
        offer_code=offer,
    )
    return reminder_of(rule, DueItem.objects.get(result=result))


def test_a_guessed_licence_renewal_keeps_the_prepared_draft_a_linked_one_does_not(
    licences, procedure, citizen, clock
):
    new, reissue = licences
    clock.set(2022, 12, 20)
    one = licence(new, citizen, "31/12/2027")
    clock.set(2027, 12, 1)
    guessed = prepared_for(licence_reminder(one, reissue.code), procedure, citizen)
    clock.set(2027, 12, 2)
    # Renewed outside any reminder (the only licence due: a guess, it may be another one
    # held alongside): the draft stays, to expire by itself.
    licence(reissue, citizen, "31/12/2034")
    assert state(one) == "renewed"
    assert Dossier.objects.filter(pk=guessed.pk).exists()
    # Renewed from the reminder's link: that reminder's draft has lost its reason.
    two = licence(new, citizen, "31/12/2028")
    reminder = licence_reminder(two, reissue.code)
    linked = prepared_for(reminder, procedure, citizen)
    clock.set(2027, 12, 3)
    licence(reissue, citizen, "31/12/2035", reminder=str(reminder.uuid))
    assert state(two) == "renewed"
    assert not Dossier.objects.filter(pk=linked.pk).exists()
