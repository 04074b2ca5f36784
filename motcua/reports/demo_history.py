"""A year of demo history: dossiers of the demo procedures moved through the real state machine
at past working-day times, so the statistics pages have figures and trends in `make demo`
(decision 0065). FOR DEMONSTRATION ONLY: `manage.py load_demo_history`.

Every step is an ordinary call (intake, `machine.perform`, the payment settlement, the outbox)
made while `timezone.now()` reads a moving clock set in the past. The whole history is one
transaction; before it commits, the notification subscribers are struck off its outbox events
(nobody is told today about a year of past steps) and the facts are recomputed once per
dossier instead of once per event. Its PDFs are one placeholder page unless asked otherwise.
"""

import random
import sys
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import Membership, User
from motcua.catalogue.forms_schema import prefill
from motcua.catalogue.models import Component, Procedure
from motcua.core.events import DossierRated
from motcua.core.models import OutboxEvent
from motcua.core.outbox import publish, strike_off_subscribers
from motcua.documents import render
from motcua.documents import services as _documents  # noqa: F401 - html_to_pdf patched below
from motcua.dossiers import intake
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.dossiers.services import store_attachment
from motcua.payments import receipts as _receipts  # noqa: F401 - html_to_pdf patched below
from motcua.payments import registry
from motcua.payments.registry import GatewayResult
from motcua.payments.settlement import PaymentRefused, settle, start_online_payment
from motcua.reports.facts import refresh_fact
from motcua.workdays import services as workdays
from motcua.workflow import services as workflow_services
from motcua.workflow.machine import (
    ExtendInput,
    NoteInput,
    ReasonInput,
    RequestPaymentInput,
    RequestSupplementInput,
    SupplementItem,
    TransitionRefused,
    perform,
)

# The officers' note on the submission line of every history dossier: how a second run
# recognises them (and how an officer reading one knows what it is).
HISTORY_NOTE = "Hồ sơ lịch sử trình diễn (manage.py load_demo_history)"

CITIZEN = "citizen@demo.motcua.vn"
COMPANY = "doanhnghiep@demo.motcua.vn"

# The demo procedures with a workflow (motcua/workflow/demo/organisation.json), their share of
# the history (the seeds' own proportions: road far ahead of maritime and aviation) and who
# applies for them.
PROCEDURES = {
    "2.002288": (50, COMPANY),  # transport badge, Huế, free
    "1.002788": (25, CITIZEN),  # seafarer's book, fee paid with the application
    "1.002687": (15, COMPANY),  # ship registration, fee asked at review
    "1.003747": (10, COMPANY),  # aircraft registration, fee asked at review
}

# Who would not be told: the outbox subscribers of these names are struck off the history's
# events (decision 0065): the applicants, and the national portal (a past made up today is
# not the portal's news either). The facts are recomputed once per dossier below, except
# that a rating reaches its fact through the subscriber (it carries what reports cannot read).
QUIET_PREFIX = ("notifications.", "nationalportal.")
FACTS_SUBSCRIBER = "reports.refresh_fact"


def history_dossiers():
    """The dossiers a previous run made."""
    ids = DossierEvent.objects.filter(action="submitted", data__note=HISTORY_NOTE).values(
        "dossier_id"
    )
    return Dossier.objects.filter(pk__in=ids)


# ---------------------------------------------------------------------------------------
# The moving clock


class Clock:
    """What `timezone.now()` returns while the history is played."""

    def __init__(self):
        self.current: datetime | None = None

    def __call__(self) -> datetime:
        return self.current


@contextmanager
def moving_clock():
    real = timezone.now
    clock = Clock()
    clock.current = real()
    timezone.now = clock
    try:
        yield clock
    finally:
        timezone.now = real


# The smallest valid files: what the history's applicants attach (and the desk scans).
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)

# What the documents of the history say instead of being rendered one by one (decision 0065).
PLACEHOLDER_HTML = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Hồ sơ lịch sử trình diễn</title></head><body style="font-family: sans-serif">
<h1>Văn bản của hồ sơ lịch sử trình diễn</h1>
<p>Hồ sơ này do lệnh <code>manage.py load_demo_history</code> tạo để các trang thống kê có
số liệu. Văn bản của hồ sơ không được dựng riêng; số hiệu, ngày ban hành và tiến trình xử lý
của hồ sơ được ghi như thật.</p></body></html>"""


@contextmanager
def placeholder_documents(real: bool):
    """Unless `real`, every PDF rendered inside is one placeholder page, rendered once:
    a slip or a result takes a third of a second to render, the whole history minutes."""
    if real:
        yield
        return
    original = render.html_to_pdf
    placeholder = original(PLACEHOLDER_HTML)
    patched = [
        module
        for name, module in list(sys.modules.items())
        if name.startswith("motcua.") and getattr(module, "html_to_pdf", None) is original
    ]
    for module in patched:
        module.html_to_pdf = lambda html: placeholder
    try:
        yield
    finally:
        for module in patched:
            module.html_to_pdf = original


def at_office_time(moment: datetime, rng: random.Random) -> datetime:
    """`moment`, moved to the office window of a working day (08:00-17:00)."""
    local = timezone.localtime(moment)
    day, clock_time = local.date(), local.time()
    if clock_time >= time(16, 45):
        day, clock_time = day + timedelta(days=1), None
    while not workdays.is_working_day(day):
        day, clock_time = day + timedelta(days=1), None
    if clock_time is None or clock_time < time(8, 0):
        clock_time = time(8, rng.randrange(5, 50))
    return timezone.make_aware(datetime.combine(day, clock_time))


def later(moment: datetime, days: float, rng: random.Random) -> datetime:
    """`days` working days (fractions allowed) after `moment`, in office hours."""
    return at_office_time(workdays.add_working_days(moment, max(days, 0.01)), rng)


# ---------------------------------------------------------------------------------------
# Application forms


def form_for(code: str, applicant: User, rng: random.Random, n: int) -> dict:
    """A plausible, valid application form of the demo procedure `code`."""
    phone = applicant.phone or "0905123456"
    address = applicant.address or "25 Hùng Vương, phường Thuận Hóa, thành phố Huế"
    if code == "2.002288":
        vehicles = [
            {
                "plate": f"75B-{rng.randrange(100, 999)}.{rng.randrange(10, 99)}",
                "chassis_no": f"RL4C{n:05d}{k}",
                "engine_no": f"2TR{n:05d}{k}",
                "vehicle_class": "Ô tô khách",
                "brand": rng.choice(["Ford Transit", "Hyundai Solati", "Toyota Hiace"]),
                "year_of_manufacture": rng.randrange(2016, 2025),
                "seats": rng.choice([16, 29, 45]),
                "ownership": "owned",
            }
            for k in range(rng.choice([1, 1, 1, 2, 3]))
        ]
        return {
            "operator": {
                "name": applicant.organisation_name or applicant.full_name,
                "type": "enterprise",
                "tax_code": applicant.tax_code or "3300123456",
                "address": address,
                "phone": phone,
                "representative": applicant.representative or applicant.full_name,
                "business_registration_no": applicant.tax_code or "3300123456",
                "business_registration_issuer": "Sở Tài chính thành phố Huế",
                "business_registration_date": "2015-06-01",
            },
            "request": {
                "kind": "new",
                "badge_type": rng.choice(["contract", "fixed_route", "taxi"]),
                "badges_requested": len(vehicles),
            },
            "vehicles": vehicles,
        }
    if code == "1.002788":
        return {
            "seafarer": {
                "full_name": applicant.full_name,
                "birth_date": "1990-03-15",
                "citizen_id": applicant.citizen_id or "046190012345",
                "address": address,
                "phone": phone,
                "position": rng.choice(["Thủy thủ", "Thợ máy", "Sỹ quan boong"]),
            },
            "training": {"basic_training_no": f"HLCB-{n:05d}"},
        }
    if code == "1.002687":
        return {
            "owner": {
                "type": "enterprise",
                "name": applicant.organisation_name or applicant.full_name,
                "id_number": applicant.tax_code or "3300123456",
                "address": address,
                "phone": phone,
            },
            "ship": {
                "name": f"HƯƠNG GIANG {n:02d}",
                "ship_type": "Tàu hàng tổng hợp",
                "port_of_registry": "Chân Mây",
                "gross_tonnage": rng.randrange(300, 2500),
                "length_m": 56.5,
                "breadth_m": 11.2,
                "depth_m": 5.1,
                "hull_material": "steel",
                "year_built": rng.randrange(2005, 2024),
                "place_built": "Hải Phòng",
                "main_engine_count": 1,
                "main_engine_power_kw": 735,
                "class_society": "Cục Đăng kiểm Việt Nam",
            },
            "origin": {"status": "used_inland", "acquired_by": "purchase"},
        }
    return {
        "applicant": {
            "kind": "organisation",
            "role": "owner",
            "name": applicant.organisation_name or applicant.full_name,
            "id_number": applicant.tax_code or "3300123456",
            "nationality": "Việt Nam",
            "address": address,
            "phone": phone,
        },
        "aircraft": {
            "category": "aeroplane",
            "manufacturer": "ATR",
            "model": "ATR 72-600",
            "serial_number": f"{1500 + n}",
            "year_of_manufacture": rng.randrange(2015, 2025),
            "mtow_kg": 23000,
            "engine_count": 2,
            "engine_manufacturer": "Pratt & Whitney Canada",
            "engine_model": "PW127M",
            "proposed_mark": f"VN-B{n % 1000:03d}",
            "prior_status": "never_registered",
            "purpose": "air_transport",
        },
        "contract": {
            "type": "purchase",
            "number": f"HD-{n:04d}/2026",
            "date": "2026-01-15",
            "counterparty": "ATR",
        },
    }


# ---------------------------------------------------------------------------------------
# The cast


@dataclass
class Cast:
    procedures: list[Procedure]
    weights: list[int]
    applicants: dict[str, User]
    holders: dict[tuple[int, str], User] = field(default_factory=dict)

    def holder(self, dossier: Dossier) -> User:
        """The demo officer who holds the dossier's current step."""
        key = (dossier.current_unit_id, dossier.current_role)
        if key not in self.holders:
            membership = (
                Membership.objects.filter(unit_id=key[0], role=key[1], user__is_active=True)
                .select_related("user")
                .order_by("user_id")
                .first()
            )
            if membership is None:
                raise TransitionRefused(
                    f"Không có cán bộ trình diễn nào giữ bước này (đơn vị {key[0]}, {key[1]})."
                )
            self.holders[key] = membership.user
        return self.holders[key]

    def desk_officer(self, agency_id: int) -> User | None:
        membership = (
            Membership.objects.filter(unit__agency_id=agency_id, unit__kind="desk", role="desk")
            .select_related("user")
            .order_by("user_id")
            .first()
        )
        return membership.user if membership else None


def demo_cast() -> Cast | None:
    """The demo procedures that have a workflow, and the demo applicants; None before
    `load_demo` ran."""
    applicants = {u.email: u for u in User.objects.filter(email__in=[CITIZEN, COMPANY])}
    procedures, weights = [], []
    for procedure in Procedure.objects.filter(code__in=PROCEDURES).order_by("code"):
        weight, email = PROCEDURES[procedure.code]
        if workflow_services.current_workflow(procedure) is not None and email in applicants:
            procedures.append(procedure)
            weights.append(weight)
    if not procedures:
        return None
    return Cast(procedures=procedures, weights=weights, applicants=applicants)


# ---------------------------------------------------------------------------------------
# One dossier's life


@dataclass
class Plan:
    """What happens to one dossier (drawn at random, then played as far as "today")."""

    channel: str
    ending: str  # refused, withdrawn, stopped, returned, stuck (left open)
    timeliness: str  # early, on_time, late
    supplement: bool  # one request at most: the machine refuses a second (D61 art.15)
    extended: bool
    pays_online: bool
    rating: str  # "", "good", "negative"


def draw_plan(rng: random.Random) -> Plan:
    channel = "online" if rng.random() < 0.7 else "counter"
    ending = rng.choices(
        ["returned", "refused", "withdrawn", "stopped", "stuck"], weights=[84, 4, 5, 2, 5]
    )[0]
    return Plan(
        channel=channel,
        ending=ending,
        timeliness=rng.choices(["early", "on_time", "late"], weights=[55, 33, 12])[0],
        supplement=rng.random() < 0.18,
        extended=rng.random() < 0.06,
        pays_online=channel == "online" and rng.random() < 0.85,
        rating=rng.choices(["", "good", "negative"], weights=[65, 30, 5])[0],
    )


# Every history has one of each, among its older half (finished by "today"): what a
# statistics page shows apart, whatever the seed and however small the history.
SHOWCASE = [
    Plan("online", "returned", "on_time", False, False, True, "good"),
    Plan("counter", "returned", "early", False, False, False, ""),
    Plan("online", "returned", "late", False, False, True, "negative"),
    Plan("online", "returned", "early", True, False, True, ""),
    Plan("online", "withdrawn", "on_time", False, False, True, ""),
    Plan("counter", "refused", "on_time", False, False, False, ""),
    Plan("online", "stuck", "on_time", False, False, True, ""),
]


class Stop(Exception):
    """The next step would happen after the history's end: the dossier stays where it is."""


@dataclass
class Player:
    cast: Cast
    clock: Clock
    rng: random.Random
    until: datetime
    outcomes: Counter = field(default_factory=Counter)
    refusals: list[str] = field(default_factory=list)

    def at(self, moment: datetime) -> datetime:
        """Move the clock on to `moment`, or to the office hours after it and after the last
        step; raise Stop when that is past the history's end."""
        moment = at_office_time(max(moment, self.clock.current + timedelta(minutes=1)), self.rng)
        if moment >= self.until:
            raise Stop
        self.clock.current = moment
        return moment

    def act(self, dossier: Dossier, action: str, actor=None, data=None) -> Dossier:
        if actor is None:
            actor = self.cast.holder(dossier)
        return perform(dossier_id=dossier.pk, action=action, actor=actor, data=data)

    def play(self, procedure: Procedure, submitted: datetime, n: int, plan: Plan) -> None:
        dossier = None
        self.clock.current = submitted - timedelta(minutes=1)
        try:
            self.at(submitted)
            dossier = self.submit(procedure, plan, n)
            self.live(dossier, plan)
        except Stop:
            pass
        except TransitionRefused as exc:  # the dossier stays where it is; the run goes on
            self.refusals.append(f"{dossier.code if dossier else n}: {exc}")
        if dossier is not None:
            self.outcomes[Dossier.objects.get(pk=dossier.pk).get_status_display()] += 1

    def submit(self, procedure: Procedure, plan: Plan, n: int) -> Dossier:
        applicant = self.cast.applicants[PROCEDURES[procedure.code][1]]
        form = form_for(procedure.code, applicant, self.rng, n)
        if plan.channel == "online":
            dossier = Dossier(
                procedure=procedure,
                applicant=applicant,
                receiving_agency=procedure.receiving_agency,
                applicant_name=applicant.display_name,
                applicant_phone=applicant.phone or "",
                applicant_id_number=applicant.tax_code or applicant.citizen_id,
                applicant_email=applicant.email or "",
                delivery_method=Dossier.Delivery.ONLINE,
                form_data=form,
                # What the form took from the applicant's profile (reuse of data, DOMAIN 10).
                prefill_sources=prefill(procedure.form_schema, procedure.form_ui, applicant)[1],
            )
            dossier = intake.submit(
                dossier=dossier,
                actor=applicant,
                note="Nộp hồ sơ trực tuyến",
                data={"note": HISTORY_NOTE},
            )
            self.attach(dossier, applicant)
            return dossier
        officer = self.cast.desk_officer(procedure.receiving_agency_id)
        person = workflow_services.WalkInApplicant(
            full_name=applicant.full_name,
            citizen_id=applicant.citizen_id,
            phone=applicant.phone or "",
            email=applicant.email or "",
            address=applicant.address,
            organisation_name=applicant.organisation_name,
            tax_code=applicant.tax_code,
        )
        dossier = workflow_services.register_counter_dossier(
            officer=officer,
            procedure=procedure,
            person=person,
            channel=Dossier.Channel.COUNTER,
            files={},
            note=HISTORY_NOTE,
        )
        Dossier.objects.filter(pk=dossier.pk).update(form_data=form)
        if self.rng.random() < 0.6:  # the desk scanned the papers (digitisation, DOMAIN 10)
            self.attach(dossier, officer)
        return Dossier.objects.get(pk=dossier.pk)

    def attach(self, dossier: Dossier, by: User) -> None:
        """A file for each required paper of the procedure."""
        for component in dossier.procedure.components.filter(
            requirement=Component.Requirement.REQUIRED
        ):
            if "pdf" in component.file_types:
                upload = SimpleUploadedFile("giay-to.pdf", PDF, content_type="application/pdf")
            else:
                upload = SimpleUploadedFile("giay-to.png", PNG, content_type="image/png")
            store_attachment(dossier, component, upload, uploaded_by=by)

    def pay(self, dossier: Dossier, plan: Plan, t: datetime) -> datetime:
        """The applicant pays the open charge: online through the gateway's verified answer,
        or at the counter (the officer holding the dossier confirms)."""
        dossier = Dossier.objects.get(pk=dossier.pk)
        if plan.pays_online and registry.default() is not None:
            t = self.at(t + timedelta(minutes=self.rng.randrange(5, 240)))
            try:
                payment, _url = start_online_payment(
                    dossier=dossier, applicant=dossier.applicant, plugin_id=None, client_ip=""
                )
            except PaymentRefused:
                return t
            self.at(t + timedelta(minutes=3))
            settle(
                payment.reference,
                GatewayResult(
                    reference=payment.reference,
                    status="paid",
                    amount=payment.amount,
                    transaction_no=f"{14000000 + payment.pk}",
                    bank_code="NCB",
                ),
                via="ipn",
            )
            return t
        t = self.at(later(t, self.rng.uniform(0.1, 0.6), self.rng))
        self.act(dossier, "confirm_payment", data=NoteInput(note="Đã thu tại quầy"))
        return t

    def live(self, dossier: Dossier, plan: Plan) -> None:
        rng = self.rng
        t = self.clock.current
        if dossier.status == Status.AWAITING_PAYMENT:  # fee due with the application
            if plan.channel == "online":
                t = self.pay(dossier, plan, t)
            else:
                t = self.at(t + timedelta(minutes=5))
                self.act(
                    dossier,
                    "confirm_payment",
                    self.cast.desk_officer(dossier.receiving_agency_id),
                    NoteInput(note="Đã thu tại quầy"),
                )
        t = self.at(
            later(t, rng.uniform(0.05, 0.4), rng)
            if plan.channel == "online"
            else t + timedelta(minutes=10)
        )
        if plan.ending == "refused":
            self.act(
                dossier,
                "refuse",
                data=ReasonInput(reason="Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan."),
            )
            return
        dossier = self.act(dossier, "accept", data=NoteInput(note=""))
        # Review: the supplement first (the clock stops and restarts), then the fee, the apology.
        if plan.supplement:
            t = self.at(later(t, rng.uniform(0.1, 0.6), rng))
            item = SupplementItem(
                component="Giấy tờ kèm theo", reason="Bản chụp mờ, không đọc được"
            )
            self.act(dossier, "request_supplement", data=RequestSupplementInput(items=(item,)))
            t = self.at(later(t, rng.uniform(0.5, 3), rng))
            note = NoteInput(note="Đã bổ sung theo yêu cầu")
            dossier = self.act(dossier, "submit_supplement", dossier.applicant, note)
        if plan.ending == "withdrawn":
            t = self.at(later(t, rng.uniform(0.1, 0.8), rng))
            self.act(
                dossier,
                "request_withdrawal",
                dossier.applicant,
                ReasonInput(reason="Doanh nghiệp thay đổi kế hoạch kinh doanh"),
            )
            t = self.at(later(t, rng.uniform(0.05, 0.5), rng))
            self.act(
                dossier,
                "confirm_withdrawal",
                self.cast.desk_officer(dossier.receiving_agency_id),
                NoteInput(note=""),
            )
            return
        dossier = Dossier.objects.get(pk=dossier.pk)
        if dossier.workflow.definition.get("payment_due") == "review":
            t = self.at(later(t, rng.uniform(0.05, 0.3), rng))
            try:
                self.act(dossier, "request_payment", data=RequestPaymentInput())
            except TransitionRefused:
                pass  # nothing to pay on that day (a fee waiver)
            else:
                t = self.pay(dossier, plan, t)
        dossier = Dossier.objects.get(pk=dossier.pk)
        if plan.extended and plan.ending == "returned":
            t2 = self.at(t + timedelta(minutes=30))
            new = workdays.add_working_days(dossier.due_at, 2)
            try:
                self.act(
                    dossier,
                    "extend",
                    data=ExtendInput(
                        reason="Chờ kết quả xác minh của cơ quan liên quan",
                        new_due_date=timezone.localdate(new),
                    ),
                )
                t = t2
            except TransitionRefused:
                pass  # too close to the due date for an apology
        if plan.ending == "stopped":
            t = self.at(later(t, rng.uniform(0.2, 1.5), rng))
            self.act(
                dossier,
                "stop",
                data=ReasonInput(reason="Phương tiện không đáp ứng điều kiện theo quy định."),
            )
            return
        if plan.ending == "stuck":  # left open, overdue unless it is recent
            t = self.at(later(t, rng.uniform(0.1, 0.5), rng))
            self.act(dossier, "forward", data=NoteInput(note="Đang thẩm định"))
            return
        dossier = Dossier.objects.get(pk=dossier.pk)
        end = self.finish_time(dossier, plan, t)
        # The hand-overs between the review and the signature, evenly before `end`.
        steps = dossier.workflow.steps
        middle = len(steps) - 3  # forwards before the signing step
        for k in range(middle):
            self.at(t + (end - t) * (k + 1) / (middle + 1))
            dossier = self.act(dossier, "forward", data=NoteInput(note="Đủ điều kiện"))
        end = self.at(end)
        dossier = self.act(dossier, "approve", data=NoteInput(note=""))
        t = self.at(later(end, rng.uniform(0.05, 1.5), rng))
        dossier = self.act(dossier, "return_result", data=NoteInput(note=""))
        if plan.rating:
            self.at(t + timedelta(hours=rng.uniform(1, 30)))
            publish(
                DossierRated.about(
                    dossier,
                    action="rated",
                    actor=dossier.applicant,
                    rating_id=0,
                    negative=plan.rating == "negative",
                ),
                subject=dossier,
            )

    def finish_time(self, dossier: Dossier, plan: Plan, t: datetime) -> datetime:
        """When the leader signs: early (a day before the due date), on time (on the due day,
        by the due time) or late (after it)."""
        rng = self.rng
        due = dossier.due_at
        start = t + timedelta(minutes=20)
        if plan.timeliness == "late":
            return max(start, later(due, rng.uniform(0.2, 3), rng))
        due_day = timezone.localdate(due)
        day_start = timezone.make_aware(datetime.combine(due_day, time(8, 0)))
        if plan.timeliness == "early" and timezone.localdate(start) < due_day:
            span = (day_start - start).total_seconds()
            return at_office_time(start + timedelta(seconds=rng.uniform(0, span * 0.9)), rng)
        # On the due day, before the due time (or as soon as possible after `start`).
        latest = min(due - timedelta(minutes=5), day_start + timedelta(hours=8, minutes=30))
        earliest = max(start, day_start)
        if earliest >= latest:
            return start
        return earliest + (latest - earliest) * rng.random()


# ---------------------------------------------------------------------------------------
# The whole history


@dataclass
class Outcome:
    created: int
    existing: int
    statuses: Counter
    refusals: list[str] = field(default_factory=list)


def working_days_back(until: date, months: int) -> list[date]:
    first = until - timedelta(days=round(months * 30.4))
    days, day = [], first
    while day < until:
        if workdays.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def load_history(*, dossiers: int, months: int, seed: int, real_documents: bool = False) -> Outcome:
    """Make the history unless it is there (then nothing); returns what it did."""
    existing = history_dossiers().count()
    if existing:
        return Outcome(0, existing, Counter())
    cast = demo_cast()
    if cast is None:
        raise ValueError(
            "Chưa có thủ tục trình diễn nào có quy trình xử lý: chạy manage.py load_demo trước."
        )
    rng = random.Random(seed)
    today = timezone.localdate()
    days = working_days_back(today, months)
    until = timezone.make_aware(datetime.combine(today, time(0, 0)))
    # More dossiers each month (a service people adopt), each on a working day, 08:00-16:30.
    starts = sorted(
        timezone.make_aware(
            datetime.combine(
                days[min(int(len(days) * rng.random() ** 0.8), len(days) - 1)],
                time(8, 0),
            )
        )
        + timedelta(minutes=rng.randrange(0, 510))
        for _ in range(dossiers)
    )
    first_event = OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with placeholder_documents(real_documents), transaction.atomic():
        with moving_clock() as clock:
            player = Player(cast=cast, clock=clock, rng=rng, until=until)
            older = max(dossiers // 2, 1)
            slots = rng.sample(range(older), k=min(len(SHOWCASE), older))
            showcase = dict(zip(slots, SHOWCASE, strict=False))
            for n, submitted in enumerate(starts):
                procedure = rng.choices(cast.procedures, weights=cast.weights)[0]
                plan = showcase.get(n) or draw_plan(rng)
                player.play(procedure, submitted, n + 1, plan)
        events = OutboxEvent.objects.filter(pk__gt=first_event)
        strike_off_subscribers(
            events.exclude(name=DossierRated.name),
            lambda name: name.startswith(QUIET_PREFIX) or name == FACTS_SUBSCRIBER,
        )
        strike_off_subscribers(
            events.filter(name=DossierRated.name), lambda name: name.startswith(QUIET_PREFIX)
        )
        for pk in history_dossiers().values_list("pk", flat=True):
            refresh_fact(dossier_id=pk)
    return Outcome(dossiers, 0, player.outcomes, player.refusals)
