import json

import requests
from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from motcua.notifications.contrib.sms import protocol
from motcua.notifications.contrib.sms_sandbox.models import SandboxSms

# Test numbers whose messages never arrive, by their last four digits (shown on the page).
FAILURES = {
    "0000": ("UNREACHABLE", "Thuê bao không liên lạc được"),
    "9999": ("REJECTED", "Nhà mạng từ chối tin nhắn"),
}


def report_url() -> str:
    """Where the provider sends its reports, as its customer portal would have it set."""
    return settings.SITE_URL + reverse("sms:report")


@shared_task(autoretry_for=(requests.RequestException,), retry_backoff=True, max_retries=5)
def send_report(sms_id: int) -> int:
    """Decide what became of the message, then POST the signed report; the HTTP status."""
    sms = SandboxSms.objects.get(pk=sms_id)
    if sms.status == SandboxSms.Status.ACCEPTED:
        failure = FAILURES.get(sms.phone[-4:])
        sms.status = SandboxSms.Status.FAILED if failure else SandboxSms.Status.DELIVERED
        sms.error_code, sms.reason = failure or ("000", "")
        sms.reported_at = timezone.now()
        sms.save(update_fields=["status", "error_code", "reason", "reported_at"])
    body = json.dumps(
        {
            "SMSID": sms.message_id,
            "RequestId": sms.request_id,
            "Phone": sms.phone,
            "Status": sms.status,
            "ErrorCode": sms.error_code,
            "Reason": sms.reason,
            "ReportedAt": timezone.localtime(sms.reported_at).strftime("%d/%m/%Y %H:%M:%S"),
        },
        ensure_ascii=False,
    ).encode()
    response = requests.post(
        report_url(),
        data=body,
        headers={
            "Content-Type": "application/json",
            **protocol.signed_headers(body, settings.SANDBOX_SMS_CALLBACK_SECRET),
        },
        timeout=10,
    )
    SandboxSms.objects.filter(pk=sms.pk).update(
        report_answer=f"{response.status_code} {response.text}"[:300]
    )
    return response.status_code
