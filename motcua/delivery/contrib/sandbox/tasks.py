import json

import requests
from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from motcua.delivery.contrib.sandbox.models import SandboxParcel
from motcua.delivery.contrib.viettelpost.plugin import sign


@shared_task(autoretry_for=(requests.RequestException,), retry_backoff=True, max_retries=5)
def send_status(parcel_id: int) -> int:
    """POST the parcel's status to the portal's webhook, signed; returns the HTTP status."""
    from motcua.delivery.contrib.sandbox.views import MOVES  # views.py imports this module

    parcel = SandboxParcel.objects.get(pk=parcel_id)
    body = json.dumps(
        {
            "DATA": {
                "ORDER_NUMBER": parcel.tracking_number,
                "ORDER_REFERENCE": parcel.reference,
                "ORDER_STATUS": int(parcel.status),
                "STATUS_NAME": MOVES.get(parcel.status, ""),
                "ORDER_STATUSDATE": timezone.localtime(parcel.status_at).strftime(
                    "%d/%m/%Y %H:%M:%S"
                ),
                "NOTE": MOVES.get(parcel.status, ""),
            }
        },
        ensure_ascii=False,
    ).encode()
    url = settings.SITE_URL + reverse("delivery:callback", args=["viettelpost"])
    response = requests.post(
        url,
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Signature": sign(body, settings.POSTAL_WEBHOOK_SECRET),
        },
        timeout=10,
    )
    return response.status_code
