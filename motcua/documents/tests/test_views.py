import uuid

import pytest
from django.urls import reverse

from motcua.accounts.models import Role, Unit
from motcua.accounts.testing import login_officer
from motcua.documents.services import issue_document, register_in_tracking_book
from motcua.documents.tests.helpers import A4, page_size, same_size
from motcua.documents.views import DOCUMENT_CSP, XLSX
from motcua.dossiers.access import grant
from motcua.factories import UnitFactory

pytestmark = pytest.mark.urls("motcua.documents.tests.urls")

CODE = "000.00.18.H56-261123-0001"


@pytest.fixture
def receipt(dossier, officer, desk):
    grant(dossier, desk)
    register_in_tracking_book(dossier, desk)
    return issue_document(dossier=dossier, kind="receipt", actor=officer)


def pdf_url(document):
    return reverse("documents:pdf", args=[document.dossier.uuid, document.pk])


def html_url(document):
    return reverse("documents:html", args=[document.dossier.uuid, document.pk])


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_applicant_gets_the_pdf_inline(client, applicant, receipt):
    client.force_login(applicant)
    response = client.get(pdf_url(receipt))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="phieu-tiep-nhan-{CODE}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert body(response).startswith(b"%PDF")


def test_applicant_gets_the_html_as_issued_under_its_own_policy(client, applicant, receipt):
    client.force_login(applicant)
    response = client.get(html_url(receipt))
    assert response.status_code == 200
    assert response.content.decode() == receipt.html
    assert response["Content-Security-Policy"] == DOCUMENT_CSP
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_unrelated_applicant_gets_404(client, other_citizen, receipt):
    client.force_login(other_citizen)
    assert client.get(pdf_url(receipt)).status_code == 404
    assert client.get(html_url(receipt)).status_code == 404


def test_document_under_another_dossier_uuid_is_404(client, applicant, receipt):
    client.force_login(applicant)
    url = reverse("documents:pdf", args=[uuid.uuid4(), receipt.pk])
    assert client.get(url).status_code == 404


def test_applicant_does_not_see_internal_documents(client, applicant, dossier, officer):
    internal = issue_document(
        dossier=dossier, kind="control_sheet", actor=officer, addressed_to_applicant=False
    )
    client.force_login(applicant)
    assert client.get(pdf_url(internal)).status_code == 404


def test_anonymous_is_sent_to_login(client, receipt):
    response = client.get(pdf_url(receipt))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_officer_of_a_unit_that_had_the_dossier_gets_it(client, officer, receipt):
    login_officer(client, officer)
    assert client.get(pdf_url(receipt)).status_code == 200
    assert client.get(html_url(receipt)).status_code == 200


def test_officer_of_another_unit_gets_404(client, agency, receipt, make_officer):
    elsewhere = UnitFactory(
        agency=agency, code="khac", name="Phòng Khác", kind=Unit.Kind.SPECIALIST
    )
    login_officer(
        client, make_officer(agency, (elsewhere, Role.SPECIALIST), full_name="Võ Văn Khác")
    )
    assert client.get(pdf_url(receipt)).status_code == 404
    url = reverse("documents:control_sheet", args=[receipt.dossier.uuid])
    assert client.get(url).status_code == 404


def test_officer_gets_the_control_sheet_on_a4(client, officer, receipt):
    login_officer(client, officer)
    response = client.get(reverse("documents:control_sheet", args=[receipt.dossier.uuid]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'inline; filename="phieu-kiem-soat-{CODE}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert same_size(page_size(response.content), A4)


def test_applicant_cannot_get_the_control_sheet(client, applicant, receipt):
    client.force_login(applicant)
    url = reverse("documents:control_sheet", args=[receipt.dossier.uuid])
    assert client.get(url).status_code == 403


def test_desk_officer_sees_the_tracking_book_and_exports_it(client, officer, desk, receipt):
    login_officer(client, officer)
    page = client.get(reverse("documents:tracking_book"), {"year": 2026})
    assert page.status_code == 200
    assert CODE in page.content.decode() and "Nguyễn Văn Ánh" in page.content.decode()
    xlsx = client.get(reverse("documents:tracking_book_xlsx", args=[desk.pk, 2026]))
    assert xlsx.status_code == 200 and xlsx["Content-Type"] == XLSX
    assert xlsx["Content-Disposition"] == 'attachment; filename="so-theo-doi-mot-cua-2026.xlsx"'
    pdf = client.get(reverse("documents:tracking_book_pdf", args=[desk.pk, 2026]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_officer_cannot_export_another_desks_book(client, officer, agency):
    other_desk = UnitFactory(
        agency=agency, code="mot-cua-2", name="Điểm tiếp nhận số 2", kind=Unit.Kind.DESK
    )
    login_officer(client, officer)
    url = reverse("documents:tracking_book_xlsx", args=[other_desk.pk, 2026])
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("documents:tracking_book"), {"unit": other_desk.pk}).status_code == 404
    )


def test_officer_outside_any_desk_has_no_tracking_book(client, org):
    login_officer(client, org.specialist)
    assert client.get(reverse("documents:tracking_book")).status_code == 403


def test_applicant_has_no_tracking_book(client, applicant, desk):
    client.force_login(applicant)
    assert client.get(reverse("documents:tracking_book")).status_code == 403
    url = reverse("documents:tracking_book_xlsx", args=[desk.pk, 2026])
    assert client.get(url).status_code == 403
