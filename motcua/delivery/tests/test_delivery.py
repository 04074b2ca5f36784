"""Results sent by post: booking with the carrier, its signed reports, status 10 on delivery."""

import json

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from motcua.core.models import RejectedCall, RejectedCallSample
from motcua.delivery.contrib.sandbox.models import SandboxParcel
from motcua.delivery.contrib.viettelpost.plugin import sign
from motcua.delivery.models import Shipment, ShipmentEvent
from motcua.dossiers.models import DossierEvent, Status
from motcua.factories import make_submitted_dossier
from motcua.workflow.machine import TransitionRefused, perform

ADDRESS = "12 Lê Lợi, phường Thuận Hóa, thành phố Huế"


def processed_by_post(procedure, citizen, org):
    dossier = make_submitted_dossier(
        procedure, citizen, delivery_method="post", postal_address=ADDRESS
    )
    perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    perform(dossier_id=dossier.pk, action="forward", actor=org.specialist)
    perform(dossier_id=dossier.pk, action="forward", actor=org.head)
    return perform(dossier_id=dossier.pk, action="approve", actor=org.leader)


def callback(client, body: dict, secret=None):
    raw = json.dumps(body).encode()
    return client.post(
        reverse("delivery:callback", args=["viettelpost"]),
        data=raw,
        content_type="application/json",
        headers={"X-Signature": sign(raw, secret or settings.POSTAL_WEBHOOK_SECRET)},
    )


def report(tracking, status, when="20/11/2026 10:15:00"):
    return {"DATA": {"ORDER_NUMBER": tracking, "ORDER_STATUS": status, "ORDER_STATUSDATE": when}}


@pytest.fixture
def live_site(settings, live_server):
    settings.SITE_URL = live_server.url
    return live_server


@pytest.mark.django_db(transaction=True)
def test_sent_by_post_over_http_then_delivered_reaches_status_10(
    live_site, procedure, citizen, org, client
):
    dossier = processed_by_post(procedure, citizen, org)
    dossier = perform(dossier_id=dossier.pk, action="return_result", actor=org.desk_officer)
    # Booked with the (sandbox) carrier over HTTP: a tracking number, still status 9.
    shipment = Shipment.objects.get(dossier=dossier)
    parcel = SandboxParcel.objects.get(tracking_number=shipment.tracking_number)
    assert parcel.order["RECEIVER_ADDRESS"] == ADDRESS
    assert parcel.reference == dossier.code
    assert dossier.status == Status.PROCESSED
    event = DossierEvent.objects.filter(dossier=dossier, action="send_by_post").get()
    assert shipment.tracking_number in event.note
    # A second press does not book a second parcel.
    with pytest.raises(TransitionRefused, match=shipment.tracking_number):
        perform(dossier_id=dossier.pk, action="return_result", actor=org.desk_officer)
    # The post office reports the delivery: its signed webhook reaches the portal over HTTP.
    response = client.post(
        reverse("postal_sandbox:move", args=[parcel.tracking_number]), {"status": "501"}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
    assert dossier.returned_at is not None
    shipment.refresh_from_db()
    assert shipment.state == Shipment.State.DELIVERED
    # The applicant sees it on their page.
    client.force_login(citizen)
    page = client.get(reverse("dossiers:detail", args=[dossier.uuid])).content.decode()
    assert shipment.tracking_number in page
    assert "Đã phát thành công" in page


@pytest.mark.django_db(transaction=True)
def test_booking_is_idempotent_at_the_carrier(live_site):
    from motcua.delivery.carriers import DispatchRequest, get_carrier

    request = DispatchRequest(
        reference="X",
        idempotency_key="f1d6c3a0-0000-4000-8000-000000000001",
        sender_name="Sở",
        sender_address="Huế",
        sender_phone="0234",
        recipient_name="An",
        recipient_address=ADDRESS,
        recipient_phone="0912345678",
        contents="Kết quả",
    )
    carrier = get_carrier()
    assert carrier.book(request) == carrier.book(request)
    assert SandboxParcel.objects.count() == 1


def test_an_unreachable_carrier_refuses_the_return_and_changes_nothing(
    settings, procedure, citizen, org
):
    settings.POSTAL_API_URL = "http://127.0.0.1:9/api"  # nothing listens on the discard port
    dossier = processed_by_post(procedure, citizen, org)
    with pytest.raises(TransitionRefused, match="bưu chính"):
        perform(dossier_id=dossier.pk, action="return_result", actor=org.desk_officer)
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSED
    assert not Shipment.objects.exists()


def test_no_carrier_configured_is_a_clear_refusal(settings, procedure, citizen, org):
    settings.POSTAL_CARRIER = ""
    dossier = processed_by_post(procedure, citizen, org)
    with pytest.raises(TransitionRefused, match="POSTAL_CARRIER"):
        perform(dossier_id=dossier.pk, action="return_result", actor=org.desk_officer)


def booked(dossier, org, number="SB00000000001"):
    return Shipment.objects.create(
        dossier=dossier,
        carrier="viettelpost",
        tracking_number=number,
        recipient_name=dossier.applicant_name,
        address=ADDRESS,
        created_by=org.desk_officer,
        state_at=timezone.now(),
    )


def test_forged_or_malformed_reports_are_refused_and_change_nothing(
    client, procedure, citizen, org
):
    dossier = processed_by_post(procedure, citizen, org)
    shipment = booked(dossier, org)
    assert (
        callback(client, report(shipment.tracking_number, 501), secret="guess").status_code == 400
    )
    response = client.post(
        reverse("delivery:callback", args=["viettelpost"]),
        data=b"not json",
        content_type="application/json",
        headers={"X-Signature": sign(b"not json", settings.POSTAL_WEBHOOK_SECRET)},
    )
    assert response.status_code == 400
    assert callback(client, report("SB-UNKNOWN", 501)).status_code == 404
    dossier.refresh_from_db()
    shipment.refresh_from_db()
    assert dossier.status == Status.PROCESSED
    assert shipment.state == Shipment.State.BOOKED


def test_refused_reports_are_counted_with_a_short_sample_only(client, db):
    huge = json.dumps({"DATA": {"ORDER_NUMBER": "X" * 100_000}}).encode()
    for _ in range(30):
        response = client.post(
            reverse("delivery:callback", args=["viettelpost"]),
            data=huge,
            content_type="application/json",
            headers={"X-Signature": "forged"},
        )
        assert response.status_code == 400
    counted = RejectedCall.objects.get()
    assert (counted.source, counted.kind, counted.reason, counted.count) == (
        "viettelpost",
        "webhook",
        "signature",
        30,
    )
    assert not ShipmentEvent.objects.exists()
    assert all(len(s.params["body"]) <= 200 for s in RejectedCallSample.objects.all())


def test_a_repeated_report_is_applied_once(client, procedure, citizen, org):
    dossier = processed_by_post(procedure, citizen, org)
    shipment = booked(dossier, org)
    for _ in range(2):
        assert callback(client, report(shipment.tracking_number, 501)).status_code == 200
    assert shipment.events.count() == 1
    assert DossierEvent.objects.filter(dossier=dossier, action="delivered").count() == 1
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED


def test_a_returned_parcel_tells_the_desk_and_can_be_sent_again(client, procedure, citizen, org):
    dossier = processed_by_post(procedure, citizen, org)
    shipment = booked(dossier, org)
    assert callback(client, report(shipment.tracking_number, 504)).status_code == 200
    shipment.refresh_from_db()
    dossier.refresh_from_db()
    assert shipment.state == Shipment.State.RETURNED
    assert dossier.status == Status.PROCESSED
    assert DossierEvent.objects.filter(dossier=dossier, action="post_returned").exists()
    # Delivered after being returned does not resurrect the parcel.
    callback(client, report(shipment.tracking_number, 501, when="21/11/2026 09:00:00"))
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSED


def test_online_delivery_returns_at_once(procedure, citizen, org):
    dossier = make_submitted_dossier(procedure, citizen)
    perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    perform(dossier_id=dossier.pk, action="forward", actor=org.specialist)
    perform(dossier_id=dossier.pk, action="forward", actor=org.head)
    perform(dossier_id=dossier.pk, action="approve", actor=org.leader)
    dossier = perform(dossier_id=dossier.pk, action="return_result", actor=org.desk_officer)
    assert dossier.status == Status.RETURNED
    assert not Shipment.objects.exists()


def test_the_webhook_address_of_before_the_english_paths_still_answers_without_a_redirect(
    client, procedure, citizen, org
):
    """Carriers keep the webhook URL they were given and follow no redirect (decision 0019)."""
    dossier = processed_by_post(procedure, citizen, org)
    shipment = booked(dossier, org)
    raw = json.dumps(report(shipment.tracking_number, 501)).encode()
    response = client.post(
        "/buu-chinh/callback/viettelpost/",
        data=raw,
        content_type="application/json",
        headers={"X-Signature": sign(raw, settings.POSTAL_WEBHOOK_SECRET)},
    )
    assert response.status_code == 200
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
