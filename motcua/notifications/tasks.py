"""E-mails sent after commit through the task queue (in-process when no broker is set)."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def send_templated_mail(*, to: str, template: str, context: dict) -> None:
    """Render `notifications/<template>_subject.txt` and `_body.txt` in Vietnamese and send."""
    with translation.override("vi"):
        context = {**context, "site_url": settings.SITE_URL}
        subject = render_to_string(f"notifications/{template}_subject.txt", context).strip()
        body = render_to_string(f"notifications/{template}_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_submission_receipt(dossier_id: int) -> None:
    from motcua.dossiers.models import Dossier

    dossier = Dossier.objects.select_related("procedure", "receiving_agency").get(pk=dossier_id)
    send_templated_mail(
        to=dossier.applicant_email, template="submission_receipt", context={"dossier": dossier}
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_verification_code(user_id: int, code: str) -> None:
    from motcua.accounts.models import User

    user = User.objects.get(pk=user_id)
    send_templated_mail(
        to=user.email,
        template="verification_code",
        context={
            "user": user,
            "code": code,
            "minutes": settings.VERIFICATION_CODE_TTL_SECONDS // 60,
        },
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_task_escalation(task_id: int) -> None:
    """Tell the heads of the lead agency's desk that a joint-handling task is late."""
    from motcua.dossiers.access import desk_heads
    from motcua.workflow.models import Task

    task = Task.objects.select_related("dossier", "unit", "unit__agency").get(pk=task_id)
    for head in desk_heads(task.dossier.receiving_agency_id):
        if head.email:
            send_templated_mail(to=head.email, template="task_escalation", context={"task": task})


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_document_issued(document_id: int) -> None:
    """Tell the applicant that a slip was issued on their dossier, with a link to it."""
    from django.urls import reverse

    from motcua.documents.models import IssuedDocument

    document = IssuedDocument.objects.select_related(
        "dossier", "dossier__applicant", "dossier__procedure", "agency"
    ).get(pk=document_id)
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
