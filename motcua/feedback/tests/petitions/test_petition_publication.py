"""Redaction of personal data and the public page of answers (decision 0048)."""

import pytest
from django.urls import reverse

from motcua.feedback import petitions
from motcua.feedback.petitions import HIDDEN, redact

ANSWERS = reverse("feedback:petition_answers")


def test_redaction_removes_email_phone_and_id_numbers():
    text = (
        "Tôi là Lê Văn Tám, thư tam.le+pakn@example.vn, điện thoại 0903 123 456 hoặc "
        "+84912345678, CCCD 079190012345, CMND 025123456, xe 51A-123.45. Tôi bị hẹn 3 lần "
        "trong 15 ngày."
    )
    result = redact(text, names=("Lê Văn Tám",))
    for secret in (
        "Lê Văn Tám",
        "tam.le",
        "example.vn",
        "0903 123 456",
        "912345678",
        "079190012345",
        "025123456",
        "51A-123.45",
    ):
        assert secret not in result
    assert HIDDEN in result
    assert "hẹn 3 lần trong 15 ngày" in result  # ordinary numbers stay


def test_redaction_removes_an_address_typed_after_a_cue_word():
    result = redact("Địa chỉ: số 12 ngõ 34 phố Huế, Hà Nội. Cán bộ không nghe máy.")
    assert "ngõ 34" not in result and "phố Huế" not in result
    assert "Cán bộ không nghe máy." in result


pytestmark = pytest.mark.django_db


def _published(petition, officer, **text):
    petitions.answer_petition(petition=petition, officer=officer, answer="Đã nhắc nhở.")
    draft = petitions.redacted_draft(petition.__class__.objects.get(pk=petition.pk))
    return petitions.publish_petition(petition=petition, officer=officer, **{**draft, **text})


def test_the_public_page_shows_answers_without_the_filers_identity(client, org, file):
    petition = _published(file(), org.desk_officer)
    page = client.get(ANSWERS).content.decode()
    assert "Đã nhắc nhở." in page and org.agency.name in page
    assert "bị hẹn ba lần" in page
    for personal in ("Lê Văn Tám", "tam@example.vn", "0903123456", petition.code):
        assert personal not in page


def test_unpublished_answers_stay_off_the_public_page(client, org, file):
    petition = file(title="Chưa công khai")
    petitions.answer_petition(petition=petition, officer=org.desk_officer, answer="Riêng tư.")
    assert "Chưa công khai" not in client.get(ANSWERS).content.decode()


def test_search_ignores_accents(client, org, file):
    _published(file(title="Phù hiệu xe tải"), org.desk_officer, title="Phù hiệu xe tải")
    _published(file(title="Đăng kiểm"), org.desk_officer, title="Đăng kiểm tàu biển")
    page = client.get(ANSWERS, {"q": "phu hieu"}).content.decode()
    assert "Phù hiệu xe tải" in page and "Đăng kiểm tàu biển" not in page
    assert "Đăng kiểm tàu biển" in client.get(ANSWERS, {"q": "dang kiem"}).content.decode()
