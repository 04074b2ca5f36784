"""Public verification by QR token and by upload; revocation."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from motcua.accounts.testing import login_officer
from motcua.core.models import AuditEntry
from motcua.documents.render import html_to_pdf
from motcua.factories import PDF_BYTES
from motcua.results import services
from motcua.results.tests.test_results import pdf_of
from motcua.signing import pades as signing
from motcua.signing import pki
from motcua.signing import services as signing_services
from motcua.signing.models import Revocation

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, name="ket-qua.pdf"):
    return client.post(
        reverse("results:verify_upload"),
        {"file": SimpleUploadedFile(name, data, "application/pdf")},
    )


def test_the_qr_page_says_genuine_with_what_the_badge_shows(approved, client):
    response = client.get(reverse("results:verify_token", args=[approved.verifiable.token]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Giấy tờ hợp lệ" in page and "Còn hiệu lực" in page
    assert "75B-012.34" in page and "Công ty TNHH Vận tải Hương Giang" in page
    assert "Sở Xây dựng thành phố Huế" in page and approved.number in page
    # Nothing about the applicant beyond the face of the badge.
    applicant = approved.dossier.applicant
    assert applicant.phone not in page and applicant.citizen_id not in page


def test_the_qr_link_printed_before_the_english_paths_still_verifies(approved, client):
    """Results signed before decision 0019 carry /xac-minh/<token>/ in their QR code, forever."""
    token = approved.verifiable.token
    response = client.get(f"/xac-minh/{token}/")
    assert response.status_code == 301
    assert response["Location"] == f"/verify/{token}/"
    page = client.get(f"/xac-minh/{token}/", follow=True).content.decode()
    assert "Giấy tờ hợp lệ" in page and approved.number in page


def test_the_qr_link_of_a_new_result_is_the_english_one(settings):
    assert services.verify_url("abc") == f"{settings.SITE_URL}/verify/abc/"


def test_an_unknown_token_is_not_found(client, db):
    response = client.get(reverse("results:verify_token", args=["khong-co-ma-nay"]))
    assert response.status_code == 404
    assert "Không tìm thấy giấy tờ" in response.content.decode()


def test_uploading_the_issued_file_says_genuine(approved, client):
    response = upload(client, pdf_of(approved))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Tệp hợp lệ" in page and "75B-567.89" in page


def test_one_changed_byte_fails(approved, client):
    data = bytearray(pdf_of(approved))
    # A byte inside the signed content (the badge's page stream), not the signature itself.
    data[len(data) // 3] ^= 0x01
    verdict = signing_services.verify_pdf(bytes(data))
    assert not verdict.genuine and verdict.state in ("bad_signature", "unsigned")
    assert "Tệp hợp lệ" not in upload(client, bytes(data)).content.decode()


def test_a_byte_appended_after_signing_fails(approved):
    verdict = signing_services.verify_pdf(pdf_of(approved) + b"\n")
    assert not verdict.genuine


def test_a_pdf_resigned_with_a_key_not_from_our_ca_fails(approved, client, tmp_path):
    pki.create_pki(tmp_path, key_type="ec256")  # another CA, same names
    forger = signers.SimpleSigner.load(
        str(tmp_path / "default.key"), str(tmp_path / "default.crt"), [str(tmp_path / "ca.crt")]
    )
    forged = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf_of(approved)), strict=False),
        signers.PdfSignatureMetadata(
            field_name="GiaMao", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
        ),
        signer=forger,
    ).getvalue()
    verdict = signing_services.verify_pdf(forged)
    assert verdict.state == "bad_signature"
    assert "Chữ ký số không hợp lệ" in upload(client, forged).content.decode()


def test_a_genuine_signature_over_a_pdf_we_never_issued_is_not_ours(client, db):
    signed = signing.sign_pdf(
        html_to_pdf("<p>Văn bản tự tạo</p>"), signing.signer_for(None), reason="Thử"
    )
    assert signing.check_signature(signed).ok
    page = upload(client, signed).content.decode()
    assert "Không phải giấy tờ do hệ thống ban hành" in page


def test_revocation_by_the_leader_shows_on_both_paths(approved, client, org):
    login_officer(client, org.leader)
    response = client.post(
        reverse("results:revoke", args=[approved.pk]), {"reason": "Xe đã chuyển nhượng"}
    )
    assert response.status_code == 302
    revocation = Revocation.objects.get()
    assert revocation.revoked_by == org.leader and revocation.reason == "Xe đã chuyển nhượng"
    assert approved.dossier.events.filter(action="revoke_result").exists()
    assert AuditEntry.objects.filter(action="result.revoke", actor=org.leader).exists()

    client.logout()
    page = client.get(reverse("results:verify_token", args=[approved.verifiable.token]))
    page = page.content.decode()
    assert "Giấy tờ đã bị thu hồi" in page and "Xe đã chuyển nhượng" in page
    assert "Giấy tờ hợp lệ" not in page
    page = upload(client, pdf_of(approved)).content.decode()
    assert "Giấy tờ đã bị thu hồi" in page and "Tệp hợp lệ" not in page


def test_only_the_leader_or_the_administrator_may_revoke(approved, client, org):
    login_officer(client, org.specialist)
    client.post(reverse("results:revoke", args=[approved.pk]), {"reason": "Không được"})
    assert not Revocation.objects.exists()
    with pytest.raises(services.RevocationRefused):
        services.revoke_result(result=approved, actor=org.admin, reason="")
    services.revoke_result(result=approved, actor=org.admin, reason="Cấp nhầm")
    with pytest.raises(services.RevocationRefused, match="đã bị thu hồi"):
        services.revoke_result(result=approved, actor=org.leader, reason="Lần nữa")


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("anh.pdf", b"khong phai pdf", "không phải định dạng"),
        ("rong.pdf", PDF_BYTES, "Tệp không có chữ ký số"),
        ("hong.pdf", b"%PDF-1.7\n" + b"\x00\xff" * 500, "Tệp không có chữ ký số"),
    ],
)
def test_junk_uploads_get_an_answer_never_a_500(client, db, name, data, message):
    response = upload(client, data, name)
    assert response.status_code in (200, 400)
    assert message in response.content.decode()


def test_an_upload_over_the_cap_is_refused(client, db, settings):
    settings.VERIFY_UPLOAD_MAX_BYTES = 1024
    response = upload(client, PDF_BYTES + b"0" * 2048)
    # stopped by the upload handler at the limit, before the rest is read (decision 0028)
    assert response.status_code == 413 and "lớn hơn giới hạn 1,0" in response.content.decode()


def test_uploads_are_rate_limited_per_ip(client, db, settings):
    settings.VERIFY_UPLOADS_PER_HOUR = 3
    for _ in range(3):
        assert upload(client, PDF_BYTES).status_code == 200
    assert upload(client, PDF_BYTES).status_code == 429
    assert client.post(reverse("results:verify_upload")).status_code == 429


def test_the_upload_form_is_public(client, db):
    response = client.get(reverse("results:verify_upload"))
    assert response.status_code == 200 and 'type="file"' in response.content.decode()


def test_signing_and_checking_work_inside_a_running_event_loop(db):
    """pyHanko uses asyncio.run(); a caller with a running loop (an async view, Playwright in
    the browser tests) still gets a signed, valid PDF."""
    import asyncio

    async def sign_and_check():
        signed = signing.sign_pdf(
            html_to_pdf("<p>Văn bản</p>"), signing.signer_for(None), reason="Thử"
        )
        return signing.check_signature(signed)

    assert asyncio.run(sign_and_check()).ok
