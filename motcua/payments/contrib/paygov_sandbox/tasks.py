import requests
from celery import shared_task
from django.conf import settings
from django.db.models import F

from motcua.core.retry import backoff
from motcua.payments.contrib.paygov import protocol
from motcua.payments.contrib.paygov_sandbox import platform
from motcua.payments.contrib.paygov_sandbox.models import PayGovTransaction


def _acknowledged(response) -> tuple[bool, str]:
    """Whether the merchant's answer is a signed acknowledgement that ends the resending."""
    try:
        answer = response.json()
    except ValueError:
        return False, response.text[:500]
    if not isinstance(answer, dict) or not protocol.is_signed(answer, platform.secret()):
        return False, f"unsigned: {response.text[:480]}"
    return answer.get("resultCode") in protocol.ACK_FINAL, response.text[:500]


@shared_task
def send_notification(transaction_id: int, attempt: int = 1) -> None:
    """The platform's server-to-server notification: a signed JSON POST, sent again later
    (1, 2, 4, ... minutes) until the merchant acknowledges it or the attempts run out."""
    txn = PayGovTransaction.objects.get(pk=transaction_id)
    if txn.notified:
        return
    try:
        response = requests.post(
            platform.notify_url(), json=platform.outcome_message(txn), timeout=15
        )
        done, answer = _acknowledged(response)
    except requests.RequestException as exc:
        done, answer = False, f"error: {exc}"[:500]
    PayGovTransaction.objects.filter(pk=txn.pk).update(
        notify_attempts=F("notify_attempts") + 1, notified=done, notify_answer=answer
    )
    if not done and attempt < settings.SANDBOX_PAYGOV_NOTIFY_ATTEMPTS:
        wait = backoff(attempt, base=60, cap=3600)
        send_notification.apply_async((transaction_id, attempt + 1), countdown=wait.total_seconds())
