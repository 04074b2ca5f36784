from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from motcua.core.audit import client_ip
from motcua.core.rejected_calls import SAMPLE_VALUE_CHARS, record_rejected
from motcua.delivery import services
from motcua.delivery.carriers import InvalidCallback, get_carrier


@csrf_exempt  # server-to-server: authenticated by the carrier's HMAC signature instead
@require_POST
def carrier_callback(request, carrier_id):
    """The carrier's webhook: verify the signature, apply the report once, answer 200."""
    carrier = get_carrier(carrier_id)
    if carrier is None:
        return JsonResponse(
            {"status": 404, "error": True, "message": "unknown carrier"}, status=404
        )
    try:
        report = carrier.parse_callback(request.body, request.headers)
    except InvalidCallback as exc:
        # Anybody can send these: counted, with a short sample of the body, never stored whole.
        record_rejected(
            source=carrier.id,
            kind="webhook",
            reason=str(exc) or "invalid",
            params={"body": request.body[:SAMPLE_VALUE_CHARS].decode(errors="replace")},
            ip=client_ip(request),
        )
        return JsonResponse({"status": 400, "error": True, "message": str(exc)}, status=400)
    shipment = services.record_report(report)
    if shipment is None:
        return JsonResponse({"status": 404, "error": True, "message": "unknown order"}, status=404)
    return JsonResponse({"status": 200, "error": False, "message": "OK"})
