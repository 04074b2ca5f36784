"""Filing: account holders at once; without an account only with the code sent to the
contact (decision 0048)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from motcua.factories import make_submitted_dossier
from motcua.feedback import petitions
from motcua.feedback.models import ContactCode, Petition
from motcua.feedback.tests.petitions.conftest import events

pytestmark = pytest.mark.django_db

NEW = reverse("feedback:petition_new")
VERIFY = reverse("feedback:petition_verify")


def _form(procedure, **fields):
    return {
        "kind": "feedback",
        "about": "procedure",
        "procedure": procedure.code,
        "title": "Hẹn trả kết quả nhiều lần",
        "content": "Tôi bị hẹn ba lần ở quầy số 3.",
        "contact-name": "Lê Văn Tám",
        "contact-channel": "email",
        "contact-email": "Tam@Example.vn",
        **fields,
    }


def _sent_code() -> str:
    return events("contact.code_issued")[-1].code


def test_without_an_account_nothing_is_filed_before_the_code_is_given(client, procedure):
    response = client.post(NEW, _form(procedure))
    assert response.status_code == 302 and response.url == VERIFY
    assert not Petition.objects.exists()
    (issued,) = events("contact.code_issued")
    assert (issued.channel, issued.address, issued.purpose) == (
        "email",
        "tam@example.vn",
        "petition",
    )
    assert len(issued.code) == 6 and issued.code.isdigit()
    assert ContactCode.objects.get().code_hash != issued.code  # only a hash is kept
    # The page says where the code went, without showing the whole address.
    page = client.get(VERIFY).content.decode()
    assert "đến ta***@example.vn" in page and "tam@example.vn" not in page

    response = client.post(VERIFY, {"code": _sent_code()})
    petition = Petition.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("feedback:petition_track_detail", args=[petition.code])
    assert petition.user is None and petition.email == "tam@example.vn"
    assert petition.agency == procedure.receiving_agency
    assert petition.code.startswith(f"PAKN-{procedure.receiving_agency.identifier}-")
    page = client.get(response.url)
    assert petition.code in page.content.decode() and "Đã tiếp nhận" in page.content.decode()
    (filed,) = events("petition.changed")
    assert (filed.action, filed.status, filed.email, filed.user_id) == (
        "filed",
        "received",
        "tam@example.vn",
        None,
    )
    assert filed.path == response.url and filed.due_at == petition.resolve_due_at


def test_a_wrong_code_is_refused_and_the_typed_petition_is_kept(client, procedure):
    client.post(NEW, _form(procedure))
    wrong = "000000" if _sent_code() != "000000" else "111111"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 400
    assert "Mã xác thực không đúng. Quý vị còn 4 lần thử." in response.content.decode()
    assert not Petition.objects.exists()
    back = client.get(NEW).content.decode()
    assert "Hẹn trả kết quả nhiều lần" in back and "Lê Văn Tám" in back


def test_after_five_wrong_codes_even_the_right_one_is_refused(client, procedure):
    client.post(NEW, _form(procedure))
    code = _sent_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post(VERIFY, {"code": wrong})
    response = client.post(VERIFY, {"code": code})
    assert "sai mã quá nhiều lần" in response.content.decode()
    assert not Petition.objects.exists()


def test_an_expired_code_is_refused(client, procedure):
    client.post(NEW, _form(procedure))
    row = ContactCode.objects.get()
    row.expires_at = row.created_at - timedelta(seconds=1)
    row.save(update_fields=["expires_at"])
    response = client.post(VERIFY, {"code": _sent_code()})
    assert "Mã xác thực đã hết hạn" in response.content.decode()
    assert not Petition.objects.exists()


def test_codes_to_one_address_are_limited(client, procedure):
    for _ in range(3):
        assert client.post(NEW, _form(procedure)).status_code == 302
    response = client.post(NEW, _form(procedure))
    assert response.status_code == 429
    assert len(events("contact.code_issued")) == 3


def test_missing_contact_and_subject_are_explained_beside_the_fields(client, procedure):
    response = client.post(NEW, {**_form(procedure), "procedure": "", "contact-email": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Chọn thủ tục hành chính." in page
    assert "Nhập địa chỉ thư điện tử để nhận mã xác thực." in page
    assert events("contact.code_issued") == []


def test_a_phone_must_be_a_vietnamese_mobile_number(client, procedure):
    response = client.post(
        NEW, _form(procedure, **{"contact-channel": "sms", "contact-phone": "12345"})
    )
    assert response.status_code == 400
    assert "10 chữ số" in response.content.decode()


def test_a_signed_in_applicant_files_at_once_about_their_own_dossier(client, procedure, citizen):
    dossier = make_submitted_dossier(procedure, citizen)
    client.force_login(citizen)
    response = client.post(
        NEW, {**_form(procedure), "about": "dossier", "procedure": "", "dossier_code": dossier.code}
    )
    petition = Petition.objects.get()
    assert response.status_code == 302
    assert petition.user == citizen and petition.dossier == dossier
    assert petition.agency == dossier.receiving_agency
    assert events("contact.code_issued") == []
    (filed,) = events("petition.changed")
    assert filed.user_id == citizen.pk and filed.phone == "0912345678"
    assert petition.code in client.get(reverse("feedback:petition_mine")).content.decode()


def test_someone_elses_dossier_code_is_kept_as_text_only(client, procedure, citizen, other_citizen):
    dossier = make_submitted_dossier(procedure, citizen)
    client.force_login(other_citizen)
    client.post(
        NEW, {**_form(procedure), "about": "dossier", "procedure": "", "dossier_code": dossier.code}
    )
    petition = Petition.objects.get()
    assert petition.dossier is None and petition.dossier_code == dossier.code
    assert petition.agency == dossier.receiving_agency  # from the code's public prefix


def test_an_officer_cannot_file(client, org):
    from motcua.accounts.testing import login_officer

    login_officer(client, org.desk_officer)
    assert client.get(NEW).status_code == 403


def test_old_codes_are_deleted_by_the_periodic_task(client, procedure):
    from motcua.feedback.tasks import escalate_late_petitions

    client.post(NEW, _form(procedure))
    row = ContactCode.objects.get()
    row.expires_at = row.created_at - timedelta(days=2)
    row.save(update_fields=["expires_at"])
    client.post(NEW, _form(procedure))  # a fresh one stays
    escalate_late_petitions()
    assert ContactCode.objects.count() == 1


def test_the_form_speaks_english_and_the_code_goes_out_in_english(client, procedure, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(NEW).content.decode()
    assert "Send feedback" in page and "Continue: get the verification code" in page
    client.post(NEW, _form(procedure))
    assert events("contact.code_issued")[0].language == "en"


def test_codes_count_per_agency_and_day(file, procedure):
    from motcua.factories import ProcedureFactory
    from motcua.feedback.tests.petitions.conftest import at

    other = ProcedureFactory()
    first = file(now=at("2026-03-02 09:00"))
    second = file(now=at("2026-03-02 16:00"))
    elsewhere = file(
        now=at("2026-03-02 10:00"),
        subject=petitions.Subject(
            about="procedure", agency=other.receiving_agency, procedure=other
        ),
    )
    next_day = file(now=at("2026-03-03 00:30"))
    prefix = f"PAKN-{procedure.receiving_agency.identifier}"
    assert [first.code, second.code, next_day.code] == [
        f"{prefix}-260302-0001",
        f"{prefix}-260302-0002",
        f"{prefix}-260303-0001",
    ]
    assert elsewhere.code == f"PAKN-{other.receiving_agency.identifier}-260302-0001"


def test_a_new_code_replaces_the_one_sent_before(client, procedure):
    client.post(NEW, _form(procedure))
    old = _sent_code()
    client.post(VERIFY, {"resend": "1"})
    new = _sent_code()
    if old != new:
        assert client.post(VERIFY, {"code": old}).status_code == 400
    client.post(VERIFY, {"code": new})
    assert Petition.objects.count() == 1
