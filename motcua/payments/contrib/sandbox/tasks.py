import requests
from celery import shared_task

from motcua.payments.contrib.sandbox import gateway
from motcua.payments.contrib.sandbox.models import SandboxTransaction


@shared_task
def send_ipn(transaction_id: int) -> None:
    """The gateway's server-to-server notification (IPN): a GET with the signed query."""
    txn = SandboxTransaction.objects.get(pk=transaction_id)
    try:
        response = requests.get(f"{gateway.ipn_url()}?{gateway.callback_query(txn)}", timeout=15)
        answer = response.text[:500]
    except requests.RequestException as exc:
        answer = f"error: {exc}"[:500]
    SandboxTransaction.objects.filter(pk=txn.pk).update(ipn_sent=True, ipn_answer=answer)
