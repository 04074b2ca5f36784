"""The Vietnamese paths of before decision 0019, each moved permanently to its English one.

They stay for good: /xac-minh/<token>/ is printed as a QR code on signed results, and
bookmarks, e-mails and printed slips carry the others. GET and HEAD get a 301; any other
method a 308, so that a form posted from a page loaded before the move keeps its body.
The gateway's IPN and the carrier's webhook are not here: their old paths keep answering
(payments/urls.py, delivery/urls.py), because those systems follow no redirect.
"""

from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt


def moved_to(url_name: str):
    """A view that sends a request to `url_name`, with the same URL arguments and query."""

    @csrf_exempt  # it only redirects; the view it leads to checks the token
    def redirect_to_new_path(request, **kwargs):
        url = reverse(url_name, kwargs=kwargs)
        if request.META.get("QUERY_STRING"):
            url = f"{url}?{request.META['QUERY_STRING']}"
        # 308 for a POST (Django's preserve_request), so that it keeps its method and body.
        return HttpResponsePermanentRedirect(
            url, preserve_request=request.method not in ("GET", "HEAD")
        )

    return redirect_to_new_path


DOSSIER = "<uuid:dossier_uuid>"

# (old path, the URL name it moved to); the arguments keep their names.
MOVED = [
    ("can-bo/", "workflow:inbox"),
    ("can-bo/tiep-nhan/", "workflow:intake"),
    ("can-bo/quy-trinh/", "workflow:workflows"),
    ("can-bo/quy-trinh/<int:procedure_id>/", "workflow:workflow_edit"),
    (f"can-bo/ho-so/{DOSSIER}/", "workflow:dossier"),
    (f"can-bo/ho-so/{DOSSIER}/y-kien/", "workflow:comment"),
    (f"can-bo/ho-so/{DOSSIER}/nhiem-vu/<int:task_id>/", "workflow:answer_task"),
    (f"can-bo/ho-so/{DOSSIER}/tep/<int:attachment_id>/", "workflow:attachment_preview"),
    (f"can-bo/ho-so/{DOSSIER}/tep/<int:attachment_id>/noi-dung/", "workflow:attachment"),
    (f"can-bo/ho-so/{DOSSIER}/phieu-kiem-soat.pdf", "documents:control_sheet"),
    (f"can-bo/ho-so/{DOSSIER}/<slug:name>/", "workflow:action"),
    ("can-bo/so-theo-doi/", "documents:tracking_book"),
    ("can-bo/so-theo-doi/<int:unit_id>/<int:year>.xlsx", "documents:tracking_book_xlsx"),
    ("can-bo/so-theo-doi/<int:unit_id>/<int:year>.pdf", "documents:tracking_book_pdf"),
    ("can-bo/ket-qua/<int:result_id>/thu-hoi/", "results:revoke"),
    ("can-bo/thanh-toan/sai-lech/", "payments:issues"),
    ("xac-minh/", "results:verify_upload"),
    ("xac-minh/<str:token>/", "results:verify_token"),
    ("ket-qua/<int:result_id>/tai-ve/", "results:download"),
    (f"ho-so/{DOSSIER}/thanh-toan/", "payments:start"),
    (f"ho-so/{DOSSIER}/bien-lai/<int:receipt_id>/", "payments:receipt"),
    ("thanh-toan/ket-qua/<slug:gateway>/", "payments:return"),
]

if settings.SANDBOX_ENABLED:
    MOVED += [
        ("sandbox/vnpay/paymentv2/xac-nhan/<int:transaction_id>/", "payment_sandbox:confirm"),
        ("sandbox/buu-chinh/", "postal_sandbox:post_office"),
        ("sandbox/buu-chinh/api/order/createOrder", "postal_sandbox:create_order"),
        ("sandbox/buu-chinh/api/order/tracking", "postal_sandbox:tracking"),
        ("sandbox/buu-chinh/buu-gui/<slug:tracking_number>/", "postal_sandbox:move"),
    ]

urlpatterns = [path(old, moved_to(name)) for old, name in MOVED]
