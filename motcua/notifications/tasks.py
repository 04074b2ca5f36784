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
