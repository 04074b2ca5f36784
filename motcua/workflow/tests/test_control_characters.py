"""Control characters are refused at the boundary, wherever they come (decision 0029).

PostgreSQL refuses NUL in text and JSONB: these places answered 500 there (issue 12, item 8).
Run on PostgreSQL too: DATABASE_URL=postgres://... pytest this file."""

import json

import pytest
from django.urls import reverse

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.dossiers.tests.helpers import complete_draft, pdf
from motcua.dossiers.tests.test_after_submission import (  # noqa: F401 -- fixtures
    _small_pdfs,
    one_page_pdf,
)
from motcua.factories import PDF_BYTES
from motcua.workflow import machine

pytestmark = pytest.mark.django_db

REFUSED = "ký tự điều khiển không được phép"


def _catalogue_search(client, bad, **_):
    return client.get(reverse("catalogue:list"), {"q": f"phù hiệu{bad}"})


def _catalogue_filter(client, bad, **_):
    return client.get(reverse("catalogue:list"), {"sector": bad, "level": "full"})


def _procedure_path(client, bad, **_):
    return client.get(f"/procedures/{bad}/")


def _tracking_code(client, bad, **_):
    return client.post(reverse("dossiers:track"), {"code": bad, "secret": "0912345678"})


def _old_verification_path(client, bad, **_):
    return client.get(f"/xac-minh/{bad}/")


def _form_section(client, bad, dossier, **_):
    return client.post(
        reverse("dossiers:section", args=[dossier.uuid, "applicant"]),
        {"applicant.full_name": f"Nguyễn{bad}Văn An", "applicant.phone": "0912345678"},
    )


def _autosave(client, bad, dossier, **_):
    return client.post(
        reverse("dossiers:section", args=[dossier.uuid, "applicant"]),
        {"applicant.full_name": f"Nguyễn Văn An{bad}"},
        HTTP_X_REQUESTED_WITH="fetch",
    )


def _delivery_address(client, bad, dossier, **_):
    return client.post(
        reverse("dossiers:delivery", args=[dossier.uuid]),
        {"method": "post", "postal_address": f"25 Hùng Vương{bad}, Huế"},
    )


def _withdrawal_reason(client, bad, processing, **_):
    return client.post(
        reverse("applicant:withdraw", args=[processing.uuid]),
        {"version": processing.version, "reason": f"Đã bán xe{bad}"},
    )


def _supplement_note(client, bad, supplement_requested, **_):
    return client.post(
        reverse("applicant:supplement_submit", args=[supplement_requested.uuid]),
        {"version": supplement_requested.version, "note": f"Nộp bản giấy{bad}"},
    )


PLACES = [
    _catalogue_search,
    _catalogue_filter,
    _procedure_path,
    _tracking_code,
    _old_verification_path,
    _form_section,
    _autosave,
    _delivery_address,
    _withdrawal_reason,
    _supplement_note,
]
# Each place with NUL; the places that write, with two other controls too.
CASES = [(place, "\x00") for place in PLACES] + [
    (place, bad)
    for place in (_form_section, _withdrawal_reason, _supplement_note)
    for bad in ("\x1b", "\x7f")
]


@pytest.fixture
def dossiers(citizen, procedure, org):
    """A draft, a dossier being processed and one waiting for a supplement, all the
    applicant's; what each held before the request."""
    draft = services.dossier_start(procedure=procedure, applicant=citizen)
    processing = services.dossier_submit(
        dossier_uuid=complete_draft(procedure, citizen).uuid, applicant=citizen
    )
    processing = machine.perform(dossier_id=processing.pk, action="accept", actor=org.desk_officer)
    waiting = services.dossier_submit(
        dossier_uuid=complete_draft(procedure, citizen).uuid, applicant=citizen
    )
    waiting = machine.perform(dossier_id=waiting.pk, action="accept", actor=org.desk_officer)
    waiting = machine.perform(
        dossier_id=waiting.pk,
        action="request_supplement",
        actor=org.specialist,
        data=machine.RequestSupplementInput(
            items=(machine.SupplementItem(component="Giấy đề nghị", reason="Mờ"),), note=""
        ),
    )
    return {"dossier": draft, "processing": processing, "supplement_requested": waiting}


def _state():
    return (
        DossierEvent.objects.count(),
        sorted(
            Dossier.objects.values_list("pk", "version", "status", "form_data", "postal_address")
        ),
    )


@pytest.mark.parametrize(
    "place,bad", CASES, ids=[f"{place.__name__[1:]}-{ord(bad):02x}" for place, bad in CASES]
)
def test_control_characters_are_refused_with_a_clear_error_and_nothing_saved(
    client, citizen, dossiers, place, bad
):
    client.force_login(citizen)
    before = _state()
    response = place(client, bad, **dossiers)
    assert response.status_code == 400
    if place is _autosave:
        assert REFUSED in response.json()["error"]
    else:
        assert REFUSED in response.content.decode()
    assert _state() == before


def test_the_error_page_is_in_english_for_english_readers(client, db):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("catalogue:list"), {"q": "\x00"})
    assert response.status_code == 400
    assert "control character that is not allowed" in response.content.decode()


def test_a_json_body_with_an_escaped_nul_or_lone_surrogate_is_refused(client, db):
    url = reverse("delivery:callback", args=["viettelpost"])
    for bad in ("\\u0000", "\\ud800"):
        body = '{"ORDER_NUMBER": "VTP1", "NOTE": "a' + bad + 'b"}'
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400
        assert REFUSED in response.json()["error"]


def test_file_names_are_checked_but_never_file_contents(client, citizen, dossiers):
    client.force_login(citizen)
    dossier = dossiers["dossier"]
    component = dossier.procedure.components.first()
    response = client.post(
        reverse("dossiers:attachments", args=[dossier.uuid]),
        {"component": component.pk, "files": pdf("don\x00.pdf", PDF_BYTES + b"\x00\x01\x1b")},
    )
    # Django drops unprintable characters from file names itself; the bytes are the file's.
    assert response.status_code == 302
    assert dossier.attachments.get().original_name == "don.pdf"


def test_vietnamese_text_tabs_and_newlines_still_pass(client, citizen, dossiers):
    client.force_login(citizen)
    processing = dossiers["processing"]
    reason = "Đã bán xe\tcho người khác,\r\nkhông cần phù hiệu nữa. Ưu tiên: “gấp”."
    response = client.post(
        reverse("applicant:withdraw", args=[processing.uuid]),
        {"version": processing.version, "reason": reason},
    )
    assert response.status_code == 302
    assert Dossier.objects.get(pk=processing.pk).status == Status.WITHDRAWAL_REQUESTED
    event = DossierEvent.objects.get(dossier=processing, action="request_withdrawal")
    assert event.note == reason
    search = client.get(reverse("catalogue:list"), {"q": "Cấp phù hiệu xe ô tô"})
    assert search.status_code == 200
    body = json.dumps({"ORDER_NUMBER": "VTP1", "NOTE": "Giao thành công\nđã ký nhận"})
    webhook = client.post(
        reverse("delivery:callback", args=["viettelpost"]), body, content_type="application/json"
    )
    assert REFUSED not in webhook.content.decode()  # the carrier's own answer, not ours


def test_a_gateway_notification_with_nul_is_refused_and_not_logged(client, db):
    from motcua.payments.models import GatewayMessage

    response = client.get("/payments/ipn/vnpay/?vnp_TxnRef=X&vnp_SecureHash=%00")
    assert response.status_code == 400 and REFUSED in response.content.decode()
    assert not GatewayMessage.objects.exists()
