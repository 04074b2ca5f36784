"""Who is told what: asynchronous subscribers of the domain events, run after commit from the
outbox (motcua.core.outbox). Each makes its notifications through services.notify, keyed on
the outbox event, so a subscriber run again tells nobody twice (decision 0040).

Security messages (verification code, password reset, repeated or incomplete registration)
are mailed directly, in the recipient's language: they cannot be switched off and their
secrets are not kept in the notification centre.
"""

import hashlib
import json

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from motcua.accounts import representation
from motcua.accounts.models import User
from motcua.catalogue.selectors import procedure_in_force
from motcua.core.dates import DATE_TIME, local_text
from motcua.core.events import (
    ContactCodeIssued,
    DeliveryReported,
    DossierAccepted,
    DossierApproved,
    DossierExtended,
    DossierHandedOver,
    DossierMessagePosted,
    DossierRefused,
    DossierReturned,
    DossierSentByPost,
    DossierStopped,
    DossierSubmitted,
    DraftExpiring,
    Event,
    PasswordResetRequested,
    PaymentRefunded,
    PaymentRequested,
    PaymentSettled,
    PetitionChanged,
    PetitionLate,
    ProactiveReminderReady,
    QuestionAnswered,
    RegistrationNotCompleted,
    RegistrationRepeated,
    ResultIssued,
    SupplementReceived,
    SupplementRequested,
    TaskLate,
    VerificationCodeIssued,
    WithdrawalConfirmed,
    WithdrawalDeclined,
)
from motcua.core.money import format_vnd
from motcua.core.outbox import current_event_id, subscriber
from motcua.delivery.models import Shipment
from motcua.documents.models import IssuedDocument
from motcua.dossiers.access import answering_officers, desk_heads
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.notifications import services
from motcua.notifications.channels import ChannelError, Message, channels
from motcua.proactive import choices
from motcua.proactive.models import Reminder
from motcua.workflow.models import Task


def send_templated_mail(
    *, to: str | list[str], template: str, context: dict, language: str = "vi"
) -> None:
    """Render `notifications/<template>_subject.txt` and `_body.txt` in `language` and send
    one mail (to one address, or to several together)."""
    with translation.override(language or "vi"):
        context = {**context, "site_url": settings.SITE_URL}
        subject = render_to_string(f"notifications/{template}_subject.txt", context).strip()
        body = render_to_string(f"notifications/{template}_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to] if isinstance(to, str) else to)


def source_of(event: Event) -> str:
    """The fact a notification is about: the outbox row being delivered, or (called outside
    a delivery) a digest of the event's payload."""
    event_id = current_event_id()
    if event_id is not None:
        return f"outbox:{event_id}"
    payload = json.dumps(event.to_payload(), sort_keys=True, default=str)
    return f"{event.name}:{hashlib.sha256(payload.encode()).hexdigest()[:40]}"


def _when(value) -> str:
    if not value:
        return "—"
    if hasattr(value, "hour"):
        return local_text(value, DATE_TIME)
    return value.strftime("%d/%m/%Y")


def _name(user) -> str:
    return (user.full_name or user.display_name) if user is not None else "—"


def status_context(dossier: Dossier, *, actor_id: int | None = None) -> dict:
    """What a status notice must say (Decree 224/2026 art.15(1)(g), DOMAIN.md section 13):
    the agency, who received it, the unit and person handling it, and the times of
    reception, of this processing step and of return. Rendered in the active language."""
    timeline = list(
        DossierEvent.objects.filter(dossier=dossier, actor__kind=User.Kind.OFFICER)
        .select_related("actor")
        .order_by("at", "pk")
    )
    receiving = next((e.actor for e in timeline if e.action == "accept"), None)
    receiving = receiving or dossier.registered_by
    handling = None
    if actor_id is not None:
        handling = next((e.actor for e in reversed(timeline) if e.actor_id == actor_id), None)
    if handling is None and timeline:
        handling = timeline[-1].actor
    path = reverse("dossiers:detail", args=[dossier.uuid])
    return {
        "name": dossier.applicant_name or dossier.applicant.display_name,
        "code": dossier.code or "",
        "procedure": dossier.procedure.name,
        "agency": dossier.receiving_agency.name,
        "status": str(dossier.get_status_display()),
        "receiving_officer": _name(receiving),
        "handling_unit": dossier.current_unit.name if dossier.current_unit_id else "—",
        "handling_officer": _name(handling),
        "received_at": _when(dossier.accepted_at or dossier.submitted_at),
        "processed_at": _when(timezone.now()),
        "due_date": _when(dossier.due_at),
        "returned_at": _when(dossier.returned_at),
        "link": settings.SITE_URL + path,
        "site_url": settings.SITE_URL,
    }


def _dossier(dossier_id: int) -> Dossier | None:
    return (
        Dossier.objects.select_related(
            "procedure", "applicant", "receiving_agency", "current_unit", "registered_by"
        )
        .filter(pk=dossier_id)
        .first()
    )


# The slip the change issued (documents), linked from its notice: one message, not two.
SLIPS = {
    "accepted": IssuedDocument.Kind.RECEIPT,
    "supplement_requested": IssuedDocument.Kind.SUPPLEMENT,
    "refused": IssuedDocument.Kind.REFUSAL,
    "extended": IssuedDocument.Kind.APOLOGY,
    "stopped": IssuedDocument.Kind.STOP,
}


def slip_link(dossier: Dossier, kind: str) -> str:
    """The PDF of the latest slip of the change's kind, else the dossier page."""
    document = (
        IssuedDocument.objects.filter(dossier=dossier, kind=SLIPS[kind])
        .order_by("-issued_at", "-pk")
        .first()
        if kind in SLIPS
        else None
    )
    if document is None:
        return settings.SITE_URL + reverse("dossiers:detail", args=[dossier.uuid])
    return settings.SITE_URL + reverse("documents:pdf", args=[dossier.uuid, document.pk])


def tell_applicant(event, kind: str, dossier: Dossier | None = None, **extra) -> None:
    """One notification of `kind` to the dossier's applicant, in their language, and one to
    each person who follows the applicant's dossiers today (an organisation's members, an
    agent whose authorisation covers the procedure: accounts.representation.followers)."""
    dossier = dossier or _dossier(event.dossier_id)
    if dossier is None:
        return
    extra.setdefault("slip_link", slip_link(dossier, kind))
    applicant = dossier.applicant
    if applicant.kind == User.Kind.OFFICER:  # registered at the counter for someone else
        user, addresses, language = None, {"email": dossier.applicant_email}, "vi"
    else:
        user, addresses, language = applicant, None, applicant.language
    recipients = [(user, addresses, language)]
    if user is not None:
        recipients += [
            (person, None, person.language)
            for person in representation.followers(
                applicant.pk, procedure_code=dossier.procedure.code
            )
        ]
    contexts = {}  # one per language
    source, link = source_of(event), reverse("dossiers:detail", args=[dossier.uuid])
    for user, addresses, language in recipients:
        language = language or "vi"
        if language not in contexts:
            with translation.override(language):
                context = {**status_context(dossier, actor_id=event.actor_id), **extra}
                contexts[language] = {
                    k: (str(v) if not isinstance(v, int) else v) for k, v in context.items()
                }
        services.notify(
            source=source,
            kind=kind,
            context=contexts[language],
            user=user,
            addresses=addresses,
            language=language,
            dossier=dossier,
            link=link,
        )
    services.sweep_now_and_then()


def _simple(kind: str):
    def handler(event) -> None:
        tell_applicant(event, kind)

    handler.__name__ = handler.__qualname__ = f"tell_{kind}"
    return handler


# Each change of a dossier's state the applicant must hear of, by event type. Events not
# here: DocumentIssued (the slip comes with the change that issued it, whose notice links
# to it), ParcelDelivered (the workflow then returns the dossier: DossierReturned tells),
# WithdrawalRequested (the applicant's own act), TaskSent/TaskAnswered (internal).
SIMPLE = [
    (DossierAccepted, "accepted"),
    (SupplementRequested, "supplement_requested"),
    (DossierRefused, "refused"),
    (DossierStopped, "stopped"),
    (ResultIssued, "result_issued"),
    (DossierReturned, "returned"),
    (WithdrawalConfirmed, "withdrawal_confirmed"),
    (DossierHandedOver, "status_changed"),
    (DossierApproved, "status_changed"),
    (SupplementReceived, "status_changed"),
    (WithdrawalDeclined, "status_changed"),
]
for _type, _kind in SIMPLE:
    subscriber(_type, name=f"notifications.{_type.name}")(_simple(_kind))


@subscriber(DossierSubmitted, name="notifications.submission_receipt")
def send_submission_receipt(event: DossierSubmitted) -> None:
    tell_applicant(event, "submitted")


def _vnd(amount) -> str:
    return format_vnd(amount or 0) + " ₫"


@subscriber(PaymentRequested, name="notifications.dossier.payment_requested")
def tell_payment_requested(event: PaymentRequested) -> None:
    tell_applicant(event, "payment_requested", amount=_vnd(event.amount))


@subscriber(PaymentSettled, name="notifications.payment.settled")
def tell_payment_settled(event: PaymentSettled) -> None:
    tell_applicant(event, "payment_settled", amount=_vnd(event.amount))


@subscriber(PaymentRefunded, name="notifications.payment.refunded")
def tell_payment_refunded(event: PaymentRefunded) -> None:
    tell_applicant(event, "payment_refunded", amount=_vnd(event.amount))


@subscriber(DossierExtended, name="notifications.dossier.extended")
def tell_extended(event: DossierExtended) -> None:
    tell_applicant(event, "extended", new_due_date=_when(event.new_due_at))


@subscriber(DossierSentByPost, name="notifications.dossier.sent_by_post")
def tell_sent_by_post(event: DossierSentByPost) -> None:
    shipment = Shipment.objects.filter(pk=event.shipment_id).first()
    tell_applicant(
        event, "sent_by_post", tracking_number=shipment.tracking_number if shipment else "—"
    )


@subscriber(DossierMessagePosted, name="notifications.dossier.message_posted")
def tell_message_posted(event: DossierMessagePosted) -> None:
    """From the unit: the applicant hears of it. From the applicant: the officers of the
    dossier's current unit, in the portal and by e-mail."""
    if not event.from_applicant:
        tell_applicant(event, "message_to_applicant")
        return
    dossier = _dossier(event.dossier_id)
    if dossier is None:
        return
    path = reverse("workflow:dossier", args=[dossier.uuid])
    contexts = {}  # one per language: the notice reads the timeline once, not per officer
    for officer in answering_officers(dossier):
        language = officer.language or "vi"
        if language not in contexts:
            with translation.override(language):
                context = status_context(dossier, actor_id=event.actor_id)
            contexts[language] = {**context, "link": settings.SITE_URL + path}
        services.notify(
            source=source_of(event),
            kind="message_to_unit",
            context=contexts[language],
            user=officer,
            dossier=dossier,
            link=path,
        )


@subscriber(DraftExpiring, name="notifications.draft_expiring")
def send_draft_expiring(event: DraftExpiring) -> None:
    """Remind the applicant that an untouched draft will be deleted (dossiers.expiry)."""
    dossier = (
        Dossier.objects.select_related("procedure", "applicant", "receiving_agency")
        .filter(pk=event.dossier_id, status=Status.DRAFT)
        .first()
    )
    if dossier is None:  # submitted or deleted meanwhile
        return
    path = reverse("dossiers:detail", args=[dossier.uuid])
    services.notify(
        source=source_of(event),
        kind="draft_expiring",
        context={
            "name": dossier.applicant.display_name,
            "procedure": dossier.procedure.name,
            "agency": dossier.receiving_agency.name,
            "expires_at": _when(timezone.localtime(event.expires_at).date()),
            "expiry_days": settings.DRAFT_EXPIRY_DAYS,
            "link": settings.SITE_URL + path,
            "site_url": settings.SITE_URL,
        },
        user=dossier.applicant,
        dossier=dossier,
        link=path,
    )


# ---------------------------------------------------------------------------------------
# Proactive services (issue 17): what falls due, by the channels of the reminder's rule.


@subscriber(ProactiveReminderReady, name="notifications.proactive_reminder")
def tell_proactive_reminder(event: ProactiveReminderReady) -> None:
    """Tell the holder what falls due and where to act: the prepared dossier, or the
    procedure to start (the reminder's link decides); nothing once they refused."""
    reminder = (
        Reminder.objects.select_related("rule", "holder")
        .filter(pk=event.reminder_id, holder__is_active=True)
        .first()
    )
    if reminder is None or choices.refused(reminder.holder_id):
        return
    offered = procedure_in_force(reminder.rule.offer_code)
    lines = [
        f"- {ri.item.label} — {_when(ri.due_on)}"
        for ri in reminder.items.select_related("item").order_by("due_on", "pk")
    ]
    holder = reminder.holder
    services.notify(
        source=source_of(event),
        kind="proactive_reminder",
        context={
            "name": _name(holder),
            "procedure": offered.name if offered else reminder.rule.name,
            "items": "\n".join(lines),
            "due_date": _when(reminder.due_on),
            "prepared": bool(event.dossier_id),
            "link": settings.SITE_URL + event.path,
            "site_url": settings.SITE_URL,
        },
        user=holder,
        link=event.path,
        rule_channels=list(reminder.rule.channels or []),
    )


# ---------------------------------------------------------------------------------------
# Feedback and questions: the payload says how to reach the person (no import of feedback).

PETITION_ACTIONS = {
    "filed": _("Đã tiếp nhận"),
    "rejected": _("Không thụ lý"),
    "info_requested": _("Cần bổ sung thông tin"),
    "info_given": _("Đã nhận thông tin bổ sung"),
    "answered": _("Đã trả lời"),
    "published": _("Đã công khai kết quả"),
    "escalated": _("Đã chuyển cấp trên"),
}


def _person(user_id, addresses: dict):
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    return user, (None if user is not None else addresses)


@subscriber(PetitionChanged, name="notifications.petition.changed")
def tell_petition_changed(event: PetitionChanged) -> None:
    user, addresses = _person(event.user_id, {"email": event.email, "sms": event.phone})
    language = user.language if user is not None else event.language
    with translation.override(language or "vi"):
        status = str(PETITION_ACTIONS.get(event.action, event.status))
    services.notify(
        source=source_of(event),
        kind="petition_changed",
        context={
            "petition_code": event.code,
            "petition_status": status,
            "due_date": _when(event.due_at) if event.due_at else "",
            "link": settings.SITE_URL + event.path,
            "site_url": settings.SITE_URL,
        },
        user=user,
        addresses=addresses,
        language=language,
        link=event.path,
    )


@subscriber(PetitionLate, name="notifications.petition.late")
def tell_petition_late(event: PetitionLate) -> None:
    if event.agency_id is None:
        return
    for head in desk_heads(event.agency_id):
        services.notify(
            source=source_of(event),
            kind="petition_late",
            context={
                "petition_code": event.code,
                "stage": event.stage,
                "due_date": _when(event.due_at),
                "link": settings.SITE_URL,
                "site_url": settings.SITE_URL,
            },
            user=head,
        )


@subscriber(QuestionAnswered, name="notifications.question.answered")
def tell_question_answered(event: QuestionAnswered) -> None:
    user, addresses = _person(event.user_id, {"email": event.email})
    services.notify(
        source=source_of(event),
        kind="question_answered",
        context={
            "procedure_code": event.procedure_code,
            "link": settings.SITE_URL + event.path,
            "site_url": settings.SITE_URL,
        },
        user=user,
        addresses=addresses,
        language=user.language if user is not None else event.language,
        link=event.path,
    )


@subscriber(ContactCodeIssued, name="notifications.contact_code")
def send_contact_code(event: ContactCodeIssued) -> None:
    """A one-time code to an address without an account, by the channel it names: sent
    straight through the channel (the code is not kept); a failure is retried by the outbox."""
    from motcua.notifications import rendering

    channel = channels.get(event.channel)
    if channel is None:
        return
    minutes = getattr(settings, "CONTACT_CODE_TTL_SECONDS", settings.VERIFICATION_CODE_TTL_SECONDS)
    language = event.language if event.language in dict(settings.LANGUAGES) else "vi"
    with translation.override(language):
        rendered = rendering.render(
            "contact_code",
            language,
            {"contact_code": event.code, "minutes": minutes // 60, "link": "", "site_url": ""},
        )
    text = rendered.sms if event.channel == "sms" else rendered.text
    try:
        channel.send(
            address=event.address,
            message=Message(subject=rendered.subject, text=text, html=rendered.html),
            reference=source_of(event),
        )
    except ChannelError as exc:
        if not exc.permanent:
            raise


@subscriber(DeliveryReported, name="notifications.delivery_reported")
def record_delivery_report(event: DeliveryReported) -> None:
    services.reported(
        channel=event.channel,
        provider_ref=event.provider_ref,
        delivered=event.delivered,
        reason=event.reason or event.status,
        at=event.reported_at,
    )


# ---------------------------------------------------------------------------------------
# Security messages: always by e-mail, in the account's language.


@subscriber(VerificationCodeIssued, name="notifications.verification_code")
def send_verification_code(event: VerificationCodeIssued) -> None:
    user = User.objects.get(pk=event.user_id)
    send_templated_mail(
        to=user.email,
        template="verification_code",
        context={
            "user": user,
            "code": event.code,
            "minutes": settings.VERIFICATION_CODE_TTL_SECONDS // 60,
        },
        language=user.language,
    )


@subscriber(PasswordResetRequested, name="notifications.password_reset")
def send_password_reset(event: PasswordResetRequested) -> None:
    """The reset link, made now: it stays valid PASSWORD_RESET_TIMEOUT from the sending."""
    user = User.objects.filter(pk=event.user_id, is_active=True).first()
    if user is None or not user.email or not user.has_usable_password():
        return
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    send_templated_mail(
        to=user.email,
        template="password_reset",
        context={"user": user, "link": settings.SITE_URL + path},
        language=user.language,
    )


@subscriber(RegistrationRepeated, name="notifications.registration_repeated")
def send_registration_repeated(event: RegistrationRepeated) -> None:
    """Tell an account's owner that someone registered with its address or phone."""
    user = User.objects.filter(pk=event.user_id).first()
    if user is None or not user.email:
        return
    send_templated_mail(
        to=user.email,
        template="registration_repeated",
        context={
            "user": user,
            "via": event.via,
            "login_url": settings.SITE_URL + reverse("accounts:login"),
            "reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
        },
        language=user.language,
    )


@subscriber(RegistrationNotCompleted, name="notifications.registration_not_completed")
def send_registration_not_completed(event: RegistrationNotCompleted) -> None:
    send_templated_mail(
        to=event.email,
        template="registration_not_completed",
        context={"register_url": settings.SITE_URL + reverse("accounts:register")},
    )


@subscriber(TaskLate, name="notifications.task_escalation")
def send_task_escalation(event: TaskLate) -> None:
    """Tell the heads of the lead agency's desk that a joint-handling task is late: one mail
    to all of them, so that a retry after a failure never mails some of them twice."""
    task = Task.objects.select_related("dossier", "unit", "unit__agency").get(pk=event.task_id)
    heads = [h.email for h in desk_heads(task.dossier.receiving_agency_id) if h.email]
    if heads:
        send_templated_mail(to=heads, template="task_escalation", context={"task": task})
