"""The proactive services in `make demo` (issue 17, decision 0086). FOR DEMONSTRATION ONLY:
`manage.py load_demo_proactive`, after load_demo_history.

- The rule: badges of 2.002288 falling due (valid-until date) are reminded 30 and 10 working
  days before, by e-mail and SMS, offering 2.002288 again, prepared (level 2) and with a
  recommendation where the catalogue has another way to the same result (level 3).
- A badge the demo company (Công ty TNHH Vận tải Hương Giang) holds for a vehicle it leases
  for one year: the badge is valid until the lease ends (results/context.badge_valid_until),
  and the lease ends so that today is the day of the 30-working-day reminder. The dossier is
  played through the real workflow at past times, as the demo history does (decision 0065),
  and nobody is told about that past.
- Then, today: every badge result is indexed (proactive.items.index_procedure) and the
  daily job runs (proactive.job.send_reminders): the company is reminded through the outbox
  (the draft prepared from the register sandboxes, the SMS to the sandbox phone) and finds
  the item on /proactive/.

Running it again adds nothing (the badge is recognised by its note; the rule is updated in
place; the index and the job remind once per occasion).
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from motcua.catalogue.forms_schema import prefill
from motcua.catalogue.models import Procedure
from motcua.core.models import OutboxEvent
from motcua.core.outbox import deliver, strike_off_subscribers
from motcua.core.testing_http import answered_in_process
from motcua.dossiers import intake
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.proactive.items import index_procedure
from motcua.proactive.job import send_reminders
from motcua.proactive.models import Due, DueItem, ReminderRule
from motcua.reports.demo_history import (
    COMPANY,
    QUIET_PREFIX,
    Plan,
    Player,
    at_office_time,
    demo_cast,
    moving_clock,
    placeholder_documents,
)
from motcua.reports.facts import refresh_fact
from motcua.workdays import services as workdays

BADGE = "2.002288"
NOTE = "Phù hiệu trình diễn dịch vụ công chủ động (manage.py load_demo_proactive)"
RULE_NAME = "Nhắc cấp lại phù hiệu xe sắp hết hạn"
OFFSETS = [30, 10]
# A 16-seat coach of Hoàng Văn Dũng's (core/sandbox/people.json) that the company leases.
PLATE = "75B-031.25"


def ensure_rule() -> ReminderRule:
    """The demo rule, as above (updated in place on a second run)."""
    rule, _created = ReminderRule.objects.update_or_create(
        procedure_code=BADGE,
        due=Due.VALID_UNTIL,
        offer_code=BADGE,
        defaults={
            "name": RULE_NAME,
            "date_field": "",
            "offsets": OFFSETS,
            "channels": ["email", "sms"],
            "prepare": True,
            "recommend": True,
            "is_active": True,
        },
    )
    rule.full_clean()
    return rule


def lease_end(today: date) -> date:
    """The last day whose reminder, OFFSETS[0] working days before it, falls today or
    earlier: today, when today is a working day (a weekend run: the Friday before, and the
    job reminds on the day it runs, decision 0084)."""
    return workdays.working_days_after(today, max(OFFSETS))


def badge_form(company, *, contract_from: date, contract_to: date) -> dict:
    return {
        "operator": {
            "name": company.organisation_name,
            "type": "enterprise",
            "tax_code": company.tax_code,
            "address": company.address,
            "phone": company.phone,
            "representative": company.representative,
            "business_registration_no": company.tax_code,
            "business_registration_issuer": "Sở Tài chính thành phố Huế",
            "business_registration_date": "2015-06-12",
            "licence_no": "46-0123/GPKDVT",
            "licence_date": "2016-02-01",
            "licence_issuer": "Sở Giao thông vận tải tỉnh Thừa Thiên Huế",
            "permitted_types": ["contract", "tourism"],
        },
        "request": {"kind": "new", "badge_type": "contract", "badges_requested": 1},
        "vehicles": [
            {
                "plate": PLATE,
                "chassis_no": "JTFSS22P0K0031250",
                "engine_no": "2KD3125001",
                "vehicle_class": "passenger",
                "brand": "Toyota",
                "colour": "Trắng",
                "year_of_manufacture": 2019,
                "service_life_year": 2039,
                "seats": 16,
                "ownership": "leased",
                "contract_no": f"05/{contract_from.year}/HĐTX",
                "contract_from": contract_from.isoformat(),
                "contract_to": contract_to.isoformat(),
            }
        ],
    }


def demo_badge_dossier() -> Dossier | None:
    ids = DossierEvent.objects.filter(action="submitted", data__note=NOTE).values("dossier_id")
    return Dossier.objects.filter(pk__in=ids).first()


def _one_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def make_badge(today: date) -> Dossier:
    """The company's badge for the leased coach, applied for and issued a year ago."""
    cast = demo_cast()
    if cast is None or COMPANY not in cast.applicants:
        raise ValueError("Chưa có tổ chức trình diễn và quy trình phù hiệu: chạy load_demo trước.")
    procedure = Procedure.objects.in_force().filter(code=BADGE).order_by("-effective_from").first()
    company = cast.applicants[COMPANY]
    contract_to = lease_end(today)
    contract_from = _one_year_before(contract_to) + timedelta(days=1)
    rng = random.Random(17)
    first_event = OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    until = timezone.make_aware(datetime.combine(today, time(0, 0)))
    with placeholder_documents(False), transaction.atomic():
        with moving_clock() as clock:
            player = Player(cast=cast, clock=clock, rng=rng, until=until)
            start = timezone.make_aware(datetime.combine(contract_from, time(9, 0)))
            clock.current = at_office_time(start + timedelta(days=3), rng)
            form = badge_form(company, contract_from=contract_from, contract_to=contract_to)
            dossier = intake.submit(
                dossier=Dossier(
                    procedure=procedure,
                    applicant=company,
                    receiving_agency=procedure.receiving_agency,
                    applicant_name=company.display_name,
                    applicant_phone=company.phone or "",
                    applicant_id_number=company.tax_code,
                    applicant_email=company.email or "",
                    delivery_method=Dossier.Delivery.ONLINE,
                    form_data=form,
                    prefill_sources=prefill(procedure.form_schema, procedure.form_ui, company)[1],
                ),
                actor=company,
                note="Nộp hồ sơ trực tuyến",
                data={"note": NOTE},
            )
            player.attach(dossier, company)
            player.live(dossier, Plan("online", "returned", "early", False, False, True, ""))
        strike_off_subscribers(
            OutboxEvent.objects.filter(pk__gt=first_event),
            lambda name: name.startswith(QUIET_PREFIX),
        )
        refresh_fact(dossier_id=dossier.pk)
    return Dossier.objects.get(pk=dossier.pk)


@dataclass
class Outcome:
    rule: ReminderRule
    dossier: Dossier
    created: bool
    indexed: int
    job: dict


def index_and_remind(today: date) -> tuple[int, dict]:
    """Index every demo badge result, then run the daily job (both idempotent). Returns the
    active due items of the badge procedure and the job's counts."""
    index_procedure(BADGE)
    due = DueItem.objects.active().filter(procedure_code=BADGE).count()
    # The demo loads before its server starts: the preparation's register look-ups and the
    # reminder's SMS reach the sandboxes in process, as they would over HTTP once it serves.
    # The chain (prepare, then tell) is delivered here, inside: after commit, as the outbox
    # would, it could run once this block has ended (loading inside a transaction).
    mark = OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with answered_in_process(settings.SITE_URL):
        job = send_reminders(today=today)
        while waiting := list(
            OutboxEvent.objects.filter(pk__gt=mark, attempts=0, next_attempt_at__isnull=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        ):
            for event_id in waiting:
                deliver(event_id, fresh=True)  # a run already delivering it takes it first
    return due, job


def load_proactive_demo(*, today: date | None = None) -> Outcome:
    today = today or timezone.localdate()
    rule = ensure_rule()
    dossier = demo_badge_dossier()
    created = dossier is None
    if created:
        dossier = make_badge(today)
    indexed, job = index_and_remind(today)
    return Outcome(rule=rule, dossier=dossier, created=created, indexed=indexed, job=job)
