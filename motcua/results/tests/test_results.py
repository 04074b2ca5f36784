"""Issuing, signing and downloading results; the badge validity rule."""

import hashlib
import io
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from motcua.accounts.testing import login_officer
from motcua.documents.tests.helpers import page_count, pdf_text
from motcua.dossiers.models import Dossier, Status
from motcua.factories import (
    AgencyFactory,
    UnitFactory,
    make_submitted_dossier,
)
from motcua.results.context import BadgeRefused, badge_valid_until
from motcua.results.models import ResultDocument, ResultTemplate
from motcua.results.tests.conftest import approve, badge_form, vehicle
from motcua.signing.models import VerifiableDocument
from motcua.workflow.machine import TransitionRefused, perform

pytestmark = pytest.mark.django_db


def pdf_of(result) -> bytes:
    with result.pdf.open("rb") as handle:
        return handle.read()


def validate_against_demo_ca(data: bytes):
    ca = load_cert_from_pemder(str(Path(settings.SIGNING_DIR) / "ca.crt"))
    reader = PdfFileReader(io.BytesIO(data))
    (signature,) = reader.embedded_signatures
    return validate_pdf_signature(signature, ValidationContext(trust_roots=[ca]))


def test_approving_a_badge_dossier_issues_one_signed_badge_per_vehicle(approved):
    result = approved
    data = pdf_of(result)
    status = validate_against_demo_ca(data)
    assert status.bottom_line and status.trusted and status.intact
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.kind == "badge" and page_count(data) == 2
    year = timezone.localdate().year
    assert result.number == f"1/{year}/PH – 2/{year}/PH"

    text = pdf_text(data)
    token = result.verifiable.token
    for number, plate in ((f"1/{year}/PH", "75B-012.34"), (f"2/{year}/PH", "75B-567.89")):
        assert number in text and plate in text
    assert text.count("Công ty TNHH Vận tải Hương Giang") == 2
    assert text.count("XE HỢP ĐỒNG") == 2 or text.count("Xe hợp đồng") == 2
    assert text.count("SỞ XÂY DỰNG THÀNH PHỐ HUẾ") == 2
    # Beside each badge's QR code (a long URL may wrap at a hyphen or a slash).
    assert text.replace("- ", "-").replace("/ ", "/").count(f"/verify/{token}/") == 2
    # Service life to 2030 caps the second badge; the first gets the 7-year maximum.
    assert "31/12/2030" in text
    seven_years = badge_valid_until({}, timezone.localdate())
    assert seven_years.strftime("%d/%m/%Y") in text
    assert [b["plate"] for b in result.data["badges"]] == ["75B-012.34", "75B-567.89"]


def test_the_badge_validity_rule():
    issued = date(2026, 3, 10)
    assert badge_valid_until({}, issued) == date(2033, 3, 9)
    assert badge_valid_until({"service_life_year": 2028}, issued) == date(2028, 12, 31)
    leased = {"ownership": "leased", "contract_to": "2027-06-30", "service_life_year": 2040}
    assert badge_valid_until(leased, issued) == date(2027, 6, 30)
    # A contract date on an owned vehicle does not count.
    assert badge_valid_until({"contract_to": "2027-06-30"}, issued) == date(2033, 3, 9)
    with pytest.raises(BadgeRefused):
        badge_valid_until({"service_life_year": 2025, "plate": "75B-1"}, issued)


def test_a_vehicle_past_its_service_life_blocks_the_approval(org, badge_procedure, citizen):
    dossier = make_submitted_dossier(
        badge_procedure,
        citizen,
        form_data=badge_form(vehicle("75B-111.11", service_life_year=2000)),
    )
    with pytest.raises(TransitionRefused, match="75B-111.11"):
        approve(dossier, org)
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PROCESSING


def test_without_keys_the_approval_is_refused_and_nothing_changes(
    badge_dossier, org, settings, tmp_path
):
    perform(dossier_id=badge_dossier.pk, action="accept", actor=org.desk_officer)
    perform(dossier_id=badge_dossier.pk, action="forward", actor=org.specialist)
    before = perform(dossier_id=badge_dossier.pk, action="forward", actor=org.head)
    events = before.events.count()
    settings.SIGNING_DIR = tmp_path / "empty"
    with pytest.raises(TransitionRefused, match="chưa có khóa và chứng thư số"):
        perform(dossier_id=badge_dossier.pk, action="approve", actor=org.leader)
    after = Dossier.objects.get(pk=badge_dossier.pk)
    assert (after.status, after.step_key, after.version) == (
        Status.PROCESSING,
        before.step_key,
        before.version,
    )
    assert after.events.count() == events
    assert not ResultDocument.objects.exists()


def test_without_keys_the_officer_page_shows_the_refusal(
    badge_dossier, org, settings, tmp_path, client
):
    perform(dossier_id=badge_dossier.pk, action="accept", actor=org.desk_officer)
    perform(dossier_id=badge_dossier.pk, action="forward", actor=org.specialist)
    dossier = perform(dossier_id=badge_dossier.pk, action="forward", actor=org.head)
    settings.SIGNING_DIR = tmp_path / "empty"
    login_officer(client, org.leader)
    response = client.post(
        reverse("workflow:action", args=[dossier.uuid, "approve"]),
        {"expected_version": dossier.version, "note": ""},
    )
    assert "chưa có khóa và chứng thư số" in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PROCESSING


def test_the_applicant_downloads_the_result_and_others_get_404(
    approved, client, other_citizen, org, make_officer
):
    url = reverse("results:download", args=[approved.pk])
    client.force_login(approved.dossier.applicant)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_of(approved)

    client.force_login(other_citizen)
    assert client.get(url).status_code == 404

    other = AgencyFactory()
    stranger = make_officer(other, (UnitFactory(agency=other, kind="leadership"), "leader"))
    login_officer(client, stranger)
    assert client.get(url).status_code == 404

    login_officer(client, org.leader)
    assert client.get(url).status_code == 200


def test_the_dossier_pages_offer_the_result(approved, client, org):
    dossier = approved.dossier
    client.force_login(dossier.applicant)
    page = client.get(reverse("dossiers:detail", args=[dossier.uuid])).content.decode()
    assert reverse("results:download", args=[approved.pk]) in page
    assert approved.sha256 in page and f"/verify/{approved.verifiable.token}/" in page

    login_officer(client, org.leader)
    page = client.get(reverse("workflow:dossier", args=[dossier.uuid])).content.decode()
    assert approved.sha256 in page and reverse("results:revoke", args=[approved.pk]) in page
    login_officer(client, org.specialist)
    page = client.get(reverse("workflow:dossier", args=[dossier.uuid])).content.decode()
    assert approved.sha256 in page and reverse("results:revoke", args=[approved.pk]) not in page


def test_any_other_procedure_gets_the_generic_result(procedure, citizen, make_organisation):
    organisation = make_organisation(procedure)
    dossier = make_submitted_dossier(procedure, citizen, plate="43A-999.88")
    approve(dossier, organisation)
    result = dossier.results.get()
    assert result.kind == "generic"
    text = pdf_text(pdf_of(result))
    assert "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in text
    assert "43A-999.88" in text and dossier.code in text
    assert validate_against_demo_ca(pdf_of(result)).bottom_line


def test_the_administrator_template_replaces_the_file_one(procedure, citizen, make_organisation):
    organisation = make_organisation(procedure)
    ResultTemplate.objects.create(
        procedure=procedure,
        html='{% extends "results/pdf/base.html" %}{% block result %}'
        "<h1>Quyết định mẫu riêng</h1><p>{{ applicant.name }} {{ number }}</p>{% endblock %}",
    )
    dossier = make_submitted_dossier(procedure, citizen)
    approve(dossier, organisation)
    text = pdf_text(pdf_of(dossier.results.get()))
    assert "QUYẾT ĐỊNH MẪU RIÊNG" in text and citizen.full_name in text


def test_a_broken_administrator_template_is_refused_on_save(procedure):
    from django.core.exceptions import ValidationError

    template = ResultTemplate(procedure=procedure, html="{% if %}")
    with pytest.raises(ValidationError):
        template.full_clean()


def test_an_online_slip_is_signed_and_verifiable_a_counter_one_is_not(
    badge_dossier, org, badge_procedure, citizen
):
    from motcua.signing import pades as signing

    dossier = perform(dossier_id=badge_dossier.pk, action="accept", actor=org.desk_officer)
    receipt = dossier.documents.get(kind="receipt")
    with receipt.pdf.open("rb") as handle:
        data = handle.read()
    assert validate_against_demo_ca(data).bottom_line
    registered = VerifiableDocument.objects.get(issued_document=receipt)
    assert registered.sha256 == receipt.sha256 == hashlib.sha256(data).hexdigest()
    assert f"/verify/{registered.token}/" in pdf_text(data).replace("- ", "-")
    assert page_count(data) == 1

    walk_in = make_submitted_dossier(
        badge_procedure, citizen, channel=Dossier.Channel.COUNTER, form_data=badge_form()
    )
    walk_in = perform(dossier_id=walk_in.pk, action="accept", actor=org.desk_officer)
    paper = walk_in.documents.get(kind="receipt")
    with paper.pdf.open("rb") as handle:
        assert not signing.check_signature(handle.read()).signed
    assert not VerifiableDocument.objects.filter(issued_document=paper).exists()


def test_create_demo_pki_makes_a_certificate_per_agency_once(tmp_path, badge_procedure):
    from cryptography import x509
    from django.core.management import call_command

    out = io.StringIO()
    call_command("create_demo_pki", dir=str(tmp_path), key_type="ec256", stdout=out)
    assert "000.00.18.H56" in out.getvalue()
    cert = x509.load_pem_x509_certificate((tmp_path / "000.00.18.H56.crt").read_bytes())
    assert cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == (
        "Sở Xây dựng thành phố Huế"
    )
    ca = x509.load_pem_x509_certificate((tmp_path / "ca.crt").read_bytes())
    assert ca.subject.rfc4514_string().endswith("CN=MotCua Demo CA") or "MotCua Demo CA" in (
        ca.subject.rfc4514_string()
    )
    before = (tmp_path / "000.00.18.H56.crt").read_bytes()
    out = io.StringIO()
    call_command("create_demo_pki", dir=str(tmp_path), key_type="ec256", stdout=out)
    assert "nothing to do" in out.getvalue()
    assert (tmp_path / "000.00.18.H56.crt").read_bytes() == before


def test_the_agency_own_certificate_is_preferred_to_the_default(
    badge_dossier, org, settings, tmp_path
):
    from motcua.signing import pki

    pki.create_pki(tmp_path, [org.agency], key_type="ec256", default=False)
    settings.SIGNING_DIR = tmp_path
    settings.SIGNING_ALLOW_DEFAULT = False
    result = approve(badge_dossier, org).results.get()
    assert result.signer == "Sở Xây dựng thành phố Huế"
