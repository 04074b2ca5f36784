"""Dossiers through the API: an integrator creates, attaches, submits and reads, within its
agency, through the portal's rules; every read of personal data is logged with its name."""

import hashlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.accounts.models import User
from motcua.api.testing import api_post, bearer, make_client, token_for
from motcua.core import chain
from motcua.core.dates import VIETNAM
from motcua.dossiers import access_log
from motcua.dossiers.models import AccessRecord, Attachment, Dossier, DossierEvent, Status
from motcua.factories import PDF_BYTES, AgencyFactory, ProcedureFactory, make_submitted_dossier
from motcua.results.tests.conftest import approve, badge_form, badge_procedure, vehicle  # noqa: F401
from motcua.results.tests.test_results import validate_against_demo_ca
from motcua.signing.services import verify_pdf
from motcua.workflow.queues import queue

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def form(plate="75A-123.45") -> dict:
    return {
        "applicant": {"full_name": "Nguyễn Văn An", "phone": "0912345678"},
        "vehicles": [{"plate": plate, "seats": 16, "ownership": "owned"}],
    }


def body(procedure, citizen_id="001090012345", **extra) -> dict:
    return {
        "procedure": procedure.code,
        "applicant": {
            "full_name": "Nguyễn Văn An",
            "citizen_id": citizen_id,
            "phone": "0912345678",
            "email": "an@example.vn",
            "address": "12 Lê Lợi, Huế",
        },
        "form_data": form(),
        "delivery_method": "online",
        **extra,
    }


class Api:
    """The integrator's HTTP calls, with its token and a fresh Idempotency-Key each POST."""

    def __init__(self, http, token):
        self.http, self.token, self.keys = http, token, 0

    def get(self, url, **headers):
        return self.http.get(url, **bearer(self.token), **headers)

    def post(self, url, data=None, *, key=None, multipart=False):
        self.keys += 1
        key = key or f"key-{self.keys}"
        return api_post(self.http, self.token, url, data, key=key, multipart=multipart)

    def create(self, data):
        return self.post("/api/v1/dossiers/", data)

    def attach(self, uuid, component, content=PDF_BYTES, name="don.pdf", key=None):
        upload = SimpleUploadedFile(name, content, content_type="application/pdf")
        return self.post(
            f"/api/v1/dossiers/{uuid}/attachments/",
            {"component": component.pk, "file": upload},
            key=key,
            multipart=True,
        )

    def submit(self, uuid):
        return self.post(f"/api/v1/dossiers/{uuid}/submit/")


@pytest.fixture
def api(client, integrator):
    return Api(client, integrator[1])


def required_component(procedure):
    return procedure.components.get(requirement="required")


def test_an_integrator_creates_attaches_and_submits_a_dossier_into_the_desks_queue(
    api, org, citizen, integrator
):
    created = api.create(body(org.procedure))
    assert created.status_code == 201, created.content
    draft = created.json()
    assert draft["status"] == {"code": 0, "label": "Bản nháp"}
    assert created["Location"].endswith(f"/api/v1/dossiers/{draft['uuid']}/")
    component = required_component(org.procedure)
    assert draft["readiness"]["missing_components"] == [
        {"id": component.pk, "name": component.name}
    ]
    assert draft["readiness"]["form_errors"] == {} and not draft["readiness"]["ready"]

    attached = api.attach(draft["uuid"], component)
    assert attached.status_code == 201, attached.content
    assert attached.json()["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert attached.json()["name"] == "don.pdf" and attached.json()["component"] == component.pk

    submitted = api.submit(draft["uuid"])
    assert submitted.status_code == 200, submitted.content
    answer = submitted.json()
    assert answer["status"]["code"] == Status.SUBMITTED
    assert answer["code"].startswith(org.agency.identifier)
    assert answer["current_step"]["unit_name"] == org.desk.name
    assert answer["submitted_at"].endswith("+07:00")

    dossier = Dossier.objects.get(uuid=draft["uuid"])
    # The desk sees it in its queue of new dossiers; it is the citizen's, found by ID number.
    assert dossier in queue(org.desk_officer, "new")
    assert dossier.applicant == citizen and dossier.channel == "online"
    assert dossier.applicant_name == "Nguyễn Văn An" and dossier.applicant_phone == "0912345678"
    event = DossierEvent.objects.get(dossier=dossier, action="submitted")
    assert event.note == f"Nộp qua hệ thống kết nối: {integrator[0].name}"
    assert event.data["api_client"] == {"id": integrator[0].pk, "name": integrator[0].name}

    again = api.submit(draft["uuid"])  # already submitted: the dossier as it is
    assert again.status_code == 200 and again.json()["code"] == answer["code"]
    assert DossierEvent.objects.filter(dossier=dossier, action="submitted").count() == 1


def test_a_new_applicant_gets_an_account_and_an_organisation_is_found_by_its_tax_code(api, org):
    person = body(org.procedure, citizen_id="079190099999")
    assert api.create(person).status_code == 201
    account = User.objects.get(citizen_id="079190099999")
    assert account.full_name == "Nguyễn Văn An" and not account.has_usable_password()

    company = body(org.procedure, citizen_id="")
    company["applicant"].update(organisation_name="Công ty TNHH Vận tải An", tax_code="0100109106")
    first = api.create(company)
    assert first.status_code == 201, first.content
    assert first.json()["applicant"]["id_number"] == "0100109106"
    assert api.create(company).status_code == 201
    assert User.objects.filter(tax_code="0100109106").count() == 1


def test_the_same_key_twice_makes_one_dossier_and_another_body_with_it_is_refused(api, org):
    first = api.post("/api/v1/dossiers/", body(org.procedure), key="tao-ho-so-1")
    replay = api.post("/api/v1/dossiers/", body(org.procedure), key="tao-ho-so-1")
    assert first.status_code == replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json() and replay["Location"] == first["Location"]
    assert Dossier.objects.count() == 1

    other = api.post(
        "/api/v1/dossiers/", body(org.procedure, delivery_method="post"), key="tao-ho-so-1"
    )
    assert other.status_code == 409
    assert other["Content-Type"] == "application/problem+json"
    assert Dossier.objects.count() == 1


def test_an_exe_renamed_pdf_is_refused_naming_the_file_and_nothing_is_stored(api, org, settings):
    uuid = api.create(body(org.procedure)).json()["uuid"]
    response = api.attach(uuid, required_component(org.procedure), EXE, name="giay-to.pdf")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "giay-to.pdf" in response.json()["detail"]
    assert not Attachment.objects.exists()
    stored = settings.MEDIA_ROOT / "dossiers"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))


def test_an_incomplete_dossier_is_refused_with_what_it_lacks(api, org):
    data = body(org.procedure, form_data={"applicant": {"full_name": "A"}})
    created = api.create(data)
    assert created.status_code == 201
    errors = created.json()["readiness"]["form_errors"]
    assert "vehicles" in errors and "applicant.phone" in errors  # kept, like the portal's draft
    assert Dossier.objects.get().form_data == {"applicant": {"full_name": "A"}}

    response = api.submit(created.json()["uuid"])
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("/incomplete")
    component = required_component(org.procedure)
    assert problem["readiness"]["missing_components"] == [
        {"id": component.pk, "name": component.name}
    ]
    assert "vehicles" in problem["readiness"]["form_errors"]
    assert Dossier.objects.get().status == Status.DRAFT and Dossier.objects.get().code is None


def test_bad_input_is_a_problem_naming_the_fields(api, org):
    data = body(org.procedure, citizen_id="12345")
    data["applicant"]["phone"] = "12"
    response = api.create(data)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors["applicant"]) >= {"citizen_id", "phone"}

    elsewhere = ProcedureFactory()  # of another agency
    refused = api.create(body(elsewhere))
    assert refused.status_code == 422
    assert "procedure" in refused.json()["errors"]
    assert not Dossier.objects.exists()


def test_a_client_of_another_agency_sees_nothing_of_these_dossiers(client, api, org, citizen):
    draft = api.create(body(org.procedure)).json()["uuid"]
    submitted = make_submitted_dossier(org.procedure, citizen)
    stranger, secret = make_client(AgencyFactory(), name="Hệ thống khác")
    other = Api(client, token_for(client, stranger, secret))

    for uuid in (draft, submitted.uuid):
        for tail in ("", "timeline/", "attachments/", "documents/", "result/", "result/file/"):
            response = other.get(f"/api/v1/dossiers/{uuid}/{tail}")
            assert response.status_code == 404, (tail, response.content)
        assert other.submit(uuid).status_code == 404
        assert other.attach(uuid, required_component(org.procedure)).status_code == 404
    assert other.get("/api/v1/dossiers/").json()["results"] == []
    # Nor are another client's drafts seen by this agency's other systems.
    colleague, secret = make_client(org.agency, name="Cổng dịch vụ công tỉnh")
    ours = Api(client, token_for(client, colleague, secret))
    listed = [d["uuid"] for d in ours.get("/api/v1/dossiers/").json()["results"]]
    assert listed == [str(submitted.uuid)]
    assert ours.get(f"/api/v1/dossiers/{draft}/").status_code == 404


def test_a_token_without_the_write_scope_cannot_create(client, org):
    reader, secret = make_client(org.agency, scopes=["dossiers:read"])
    api = Api(client, token_for(client, reader, secret))
    response = api.create(body(org.procedure))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert not Dossier.objects.exists()
    assert api.get("/api/v1/dossiers/").status_code == 200


def test_reads_answer_304_to_the_etag_until_the_dossier_changes(api, org, citizen):
    from motcua.workflow.machine import perform

    dossier = make_submitted_dossier(org.procedure, citizen)
    url = f"/api/v1/dossiers/{dossier.uuid}/"
    first = api.get(url)
    assert first.status_code == 200 and first["ETag"]
    assert first.json()["applicant"]["name"] == citizen.display_name
    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    listed = api.get("/api/v1/dossiers/")
    assert api.get("/api/v1/dossiers/", HTTP_IF_NONE_MATCH=listed["ETag"]).status_code == 304

    perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    changed = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert changed.json()["status"]["code"] == Status.PROCESSING
    assert changed.json()["due_at"].endswith("+07:00")
    timeline = api.get(f"/api/v1/dossiers/{dossier.uuid}/timeline/").json()
    assert [e["action"] for e in timeline][:2] == ["submitted", "accept"]
    assert timeline[0]["label"] == "Đã nộp hồ sơ" and timeline[0]["at"].endswith("+07:00")
    documents = api.get(f"/api/v1/dossiers/{dossier.uuid}/documents/").json()
    assert [d["kind"] for d in documents] == ["receipt"]
    pdf = api.get(documents[0]["file_url"].removeprefix("http://testserver"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_the_list_filters_by_code_and_status(api, org, citizen):
    one = make_submitted_dossier(org.procedure, citizen, plate="75A-111.11")
    two = make_submitted_dossier(org.procedure, citizen, plate="75A-222.22")
    newest_first = [d["code"] for d in api.get("/api/v1/dossiers/").json()["results"]]
    assert newest_first == [two.code, one.code]
    by_code = api.get(f"/api/v1/dossiers/?code={one.code}").json()["results"]
    assert [d["uuid"] for d in by_code] == [str(one.uuid)]
    assert api.get("/api/v1/dossiers/?status=2").json()["results"] == []
    assert api.get("/api/v1/dossiers/?status=99").status_code == 400
    day = one.submitted_at.astimezone(VIETNAM).date()
    same_day = api.get(f"/api/v1/dossiers/?submitted_from={day}&submitted_to={day}")
    assert len(same_day.json()["results"]) == 2
    later = api.get(f"/api/v1/dossiers/?submitted_from={day + timedelta(days=1)}")
    assert later.json()["results"] == []
    edges = api.get("/api/v1/dossiers/?submitted_from=0001-01-01&submitted_to=9999-12-31")
    assert len(edges.json()["results"]) == 2


def test_the_signed_result_downloaded_is_the_stored_file_and_verifies(
    client,
    badge_procedure,  # noqa: F811 - the results tests' fixture
    citizen,
    make_organisation,
):
    organisation = make_organisation(badge_procedure)
    dossier = make_submitted_dossier(
        badge_procedure, citizen, form_data=badge_form(vehicle("75B-012.34"))
    )
    api_client, secret = make_client(organisation.agency)
    api = Api(client, token_for(client, api_client, secret))
    assert api.get(f"/api/v1/dossiers/{dossier.uuid}/result/").status_code == 404

    approve(dossier, organisation)
    result = dossier.results.get()
    meta = api.get(f"/api/v1/dossiers/{dossier.uuid}/result/")
    assert meta.status_code == 200
    assert meta.json()["verification_code"] == result.verifiable.token
    assert meta.json()["verify_url"].endswith(f"/verify/{result.verifiable.token}/")
    assert meta.json()["sha256"] == result.sha256 and meta.json()["revoked"] is False

    response = api.get(f"/api/v1/dossiers/{dossier.uuid}/result/file/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    with result.pdf.open("rb") as stored:
        assert data == stored.read()
    assert validate_against_demo_ca(data).bottom_line
    assert verify_pdf(data).document.result == result


def test_the_files_metadata_is_read_with_its_etag_and_logged(api, org, integrator):
    draft = api.create(body(org.procedure)).json()["uuid"]
    url = f"/api/v1/dossiers/{draft}/attachments/"
    empty = api.get(url)
    assert empty.status_code == 200 and empty.json() == []
    component = required_component(org.procedure)
    api.attach(draft, component, name="don-de-nghi.pdf")

    listed = api.get(url, HTTP_IF_NONE_MATCH=empty["ETag"])  # a file more: not the same tag
    assert listed.status_code == 200
    assert [(f["component"], f["name"], f["size"], f["sha256"]) for f in listed.json()] == [
        (component.pk, "don-de-nghi.pdf", len(PDF_BYTES), hashlib.sha256(PDF_BYTES).hexdigest())
    ]
    assert "file" not in listed.json()[0] and "content" not in listed.json()[0]
    assert api.get(url, HTTP_IF_NONE_MATCH=listed["ETag"]).status_code == 304
    kinds = list(AccessRecord.objects.values_list("kind", "client_name"))
    assert kinds == [("attachment", integrator[0].name)] * 2  # the 304 is not on record


def test_each_read_of_personal_data_is_logged_with_the_clients_name(api, org, citizen, integrator):
    dossier = make_submitted_dossier(org.procedure, citizen)
    first = api.get(f"/api/v1/dossiers/{dossier.uuid}/")
    api.get(f"/api/v1/dossiers/{dossier.uuid}/timeline/")
    api.get(f"/api/v1/dossiers/{dossier.uuid}/", HTTP_IF_NONE_MATCH=first["ETag"])  # 304: nothing
    api.get("/api/v1/dossiers/")  # no personal data in the list

    records = list(AccessRecord.objects.order_by("id"))
    assert [(r.kind, r.channel, r.dossier_id) for r in records] == [
        ("dossier", "api", dossier.pk),
        ("dossier", "api", dossier.pk),
    ]
    assert {r.client_name for r in records} == {integrator[0].name}
    lines, _more = access_log.seen_by(dossier)
    assert lines[0].unit_name == f"{integrator[0].name} (API)"
    _report, broken = chain.verify(AccessRecord)  # the name is in each record's hash
    assert broken == []

    # The applicant sees it on their page of the dossier.
    api.http.force_login(citizen)
    page = api.http.get(reverse("dossiers:detail", args=[dossier.uuid])).content.decode()
    assert f"{integrator[0].name} (API)" in page


def test_a_fee_due_at_submission_is_asked_for_as_online(api, org):
    from motcua.workflow.services import save_workflow_version

    save_workflow_version(org.procedure, {**org.workflow.definition, "payment_due": "submission"})
    org.procedure.fee_schedule = {"kind": "fixed", "amount": 190_000}
    org.procedure.save(update_fields=["fee_schedule"])
    uuid = api.create(body(org.procedure)).json()["uuid"]
    api.attach(uuid, required_component(org.procedure))
    submitted = api.submit(uuid).json()
    assert submitted["status"]["code"] == Status.AWAITING_PAYMENT
    assert submitted["fees"] == {"due": 190_000, "paid": 0}


def test_an_upload_may_be_as_large_as_on_the_portal(api, org, settings):
    settings.REQUEST_MAX_BYTES = 64 * 1024  # a form without files: far less than a scan
    settings.UPLOAD_MAX_BYTES = 300 * 1024
    uuid = api.create(body(org.procedure)).json()["uuid"]
    scan = PDF_BYTES + b"%" + b"0" * (200 * 1024)
    response = api.attach(uuid, required_component(org.procedure), scan, name="ban-scan.pdf")
    assert response.status_code == 201, response.content
    assert response.json()["size"] == len(scan)
    too_big = api.attach(uuid, required_component(org.procedure), scan * 2, name="lon.pdf")
    assert too_big.status_code == 413
    assert Attachment.objects.count() == 1


def test_a_new_accounts_drafts_are_limited_as_on_the_portal(api, org):
    for _ in range(3):
        assert api.create(body(org.procedure, citizen_id="079190099999")).status_code == 201
    fourth = api.create(body(org.procedure, citizen_id="079190099999"))
    assert fourth.status_code == 422
    assert "3 bản nháp" in fourth.json()["detail"]
    assert Dossier.objects.count() == 3


def test_problems_speak_the_callers_language_the_timeline_stays_vietnamese(api, org, integrator):
    uuid = api.create(body(org.procedure)).json()["uuid"]

    def submit_in_english(key):
        return api.http.post(
            f"/api/v1/dossiers/{uuid}/submit/",
            **bearer(api.token),
            HTTP_IDEMPOTENCY_KEY=key,
            HTTP_ACCEPT_LANGUAGE="en",
        )

    refused = submit_in_english("submit-en-1")
    assert refused.status_code == 422
    assert refused.json()["detail"] == "The dossier is incomplete and cannot be submitted yet."
    api.attach(uuid, required_component(org.procedure))
    assert submit_in_english("submit-en-2").status_code == 200
    event = DossierEvent.objects.get(dossier__uuid=uuid, action="submitted")
    assert event.note == f"Nộp qua hệ thống kết nối: {integrator[0].name}"


def test_reading_one_dossier_costs_a_fixed_number_of_queries(
    api, org, citizen, django_assert_num_queries
):
    from motcua.payments.charges import open_charge
    from motcua.payments.settlement import record_counter_payment
    from motcua.workflow.machine import perform
    from motcua.workflow.tests.test_page_reads import RECORD_STATEMENTS

    dossier = make_submitted_dossier(org.procedure, citizen)
    perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    url = f"/api/v1/dossiers/{dossier.uuid}/"
    assert api.get(url).status_code == 200  # the agencies and the workflow version: cached
    # The token with its application and client; the dossier with whether anything was
    # ever charged (nothing was: no fee to sum); the access record (RECORD_STATEMENTS in the
    # test's transaction, one INSERT in production).
    with django_assert_num_queries(2 + RECORD_STATEMENTS):
        read = api.get(url)
    assert read.status_code == 200
    assert read.json()["fees"] == {"due": 0, "paid": 0}
    held = Dossier.objects.get()
    assert read.json()["current_step"]["key"] == held.step_key
    assert read.json()["current_step"]["name"] == held.workflow.step(held.step_key)["name"]

    # 50,000 đồng paid at the counter, then 135,000 asked for.
    open_charge(dossier, amount=50_000, lines=None, actor=org.desk_officer)
    record_counter_payment(dossier, actor=org.desk_officer, note="Tiền mặt")
    open_charge(dossier, amount=135_000, lines=None, actor=org.desk_officer)
    with django_assert_num_queries(4 + RECORD_STATEMENTS):  # and the two sums
        read = api.get(url)
    assert read.json()["fees"] == {"due": 135_000, "paid": 50_000}
