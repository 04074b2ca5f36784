"""E-mails to applicants and officers: asynchronous subscribers of the domain events, run
after commit from the outbox (motcua.core.outbox), retried until the mail server takes them."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from motcua.accounts.models import User
from motcua.core.events import (
    DocumentIssued,
    DossierSubmitted,
    DraftExpiring,
    PasswordResetRequested,
    RegistrationNotCompleted,
    RegistrationRepeated,
    TaskLate,
    VerificationCodeIssued,
)
from motcua.core.outbox import subscriber
from motcua.documents.models import IssuedDocument
from motcua.dossiers.access import desk_heads
from motcua.dossiers.models import Dossier, Status
from motcua.workflow.models import Task


def send_templated_mail(*, to: str | list[str], template: str, context: dict) -> None:
    """Render `notifications/<template>_subject.txt` and `_body.txt` in Vietnamese and send
    one mail (to one address, or to several together)."""
    with translation.override("vi"):
        context = {**context, "site_url": settings.SITE_URL}
        subject = render_to_string(f"notifications/{template}_subject.txt", context).strip()
        body = render_to_string(f"notifications/{template}_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to] if isinstance(to, str) else to)


@subscriber(DossierSubmitted, name="notifications.submission_receipt")
def send_submission_receipt(event: DossierSubmitted) -> None:
    dossier = Dossier.objects.select_related("procedure", "receiving_agency").get(
        pk=event.dossier_id
    )
    if dossier.applicant_email:
        send_templated_mail(
            to=dossier.applicant_email,
            template="submission_receipt",
            context={"dossier": dossier},
        )


@subscriber(DraftExpiring, name="notifications.draft_expiring")
def send_draft_expiring(event: DraftExpiring) -> None:
    """Remind the applicant that an untouched draft will be deleted (dossiers.expiry)."""
    dossier = (
        Dossier.objects.select_related("procedure", "applicant")
        .filter(pk=event.dossier_id, status=Status.DRAFT)
        .first()
    )
    if dossier is None or not dossier.applicant.email:  # submitted or deleted meanwhile
        return
    send_templated_mail(
        to=dossier.applicant.email,
        template="draft_expiring",
        context={
            "user": dossier.applicant,
            "dossier": dossier,
            "expires_at": event.expires_at,
            "expiry_days": settings.DRAFT_EXPIRY_DAYS,
            "dossier_path": reverse("dossiers:detail", args=[dossier.uuid]),
        },
    )


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


@subscriber(DocumentIssued, name="notifications.document_issued")
def send_document_issued(event: DocumentIssued) -> None:
    """Tell the applicant that a slip was issued on their dossier, with a link to it."""
    if not event.addressed_to_applicant:
        return
    document = IssuedDocument.objects.select_related(
        "dossier", "dossier__applicant", "dossier__procedure", "agency"
    ).get(pk=event.document_id)
    dossier = document.dossier
    to = dossier.applicant_email or dossier.applicant.email
    if not to:
        return
    send_templated_mail(
        to=to,
        template="document_issued",
        context={
            "document": document,
            "dossier": dossier,
            "name": dossier.applicant_name or dossier.applicant.display_name,
            "dossier_path": reverse("dossiers:detail", args=[dossier.uuid]),
        },
    )
