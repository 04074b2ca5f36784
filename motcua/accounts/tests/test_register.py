import re

import pytest
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import User, VerificationCode
from motcua.accounts.tests.helpers import PASSWORD, code_from
from motcua.core.models import AuditEntry
from motcua.factories import UserFactory

URL = reverse("accounts:register")
LOGIN = reverse("accounts:login")
NEW_PASSWORD = "Hoa-sen-no-2026"


def form(**overrides):
    data = {
        "kind": "citizen",
        "full_name": "Lê Thị Cúc",
        "email": "cuc@example.vn",
        "phone": "",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_it_shows_the_form_with_labels_and_autocomplete(client):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label class="form-label" for="id_email">' in html
    assert 'autocomplete="email"' in html
    assert 'autocomplete="new-password"' in html
    assert 'autocomplete="name"' in html
    assert 'type="tel"' in html


@pytest.mark.django_db
def test_it_registers_a_citizen_and_emails_a_code(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form(phone="+84 912 000 111"))

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    user = User.objects.get(email="cuc@example.vn")
    assert user.kind == User.Kind.CITIZEN
    assert user.phone == "0912000111"
    assert user.check_password(NEW_PASSWORD)
    assert not user.is_verified
    assert "_auth_user_id" not in client.session  # the same answer as for a taken address
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["cuc@example.vn"]
    code = code_from(mailoutbox[0])
    stored = VerificationCode.objects.get(user=user)
    assert code not in stored.code_hash
    assert AuditEntry.objects.filter(action="register", actor=user).exists()
    # Logging in with the new password leads to the code.
    response = client.post(LOGIN, {"login": "cuc@example.vn", "password": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:verify")


@pytest.mark.django_db
def test_it_sends_no_mail_before_commit(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(URL, form())
    assert mailoutbox == []
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_it_registers_an_organisation(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL,
            form(
                kind="organisation",
                organisation_name="Công ty TNHH Vận tải Sao Mai",
                tax_code="0100109106",
                representative="Phạm Văn Đức",
            ),
        )
    assert response.status_code == 302
    user = User.objects.get(email="cuc@example.vn")
    assert user.kind == User.Kind.ORGANISATION
    assert user.tax_code == "0100109106"
    assert user.display_name == "Công ty TNHH Vận tải Sao Mai"


@pytest.mark.django_db
def test_organisation_without_its_details_is_refused(client):
    response = client.post(URL, form(kind="organisation"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nhập tên tổ chức, doanh nghiệp." in html
    assert "Nhập mã số thuế của tổ chức, doanh nghiệp." in html
    assert "Nhập họ và tên người đại diện theo pháp luật." in html
    assert not User.objects.exists()


@pytest.mark.django_db
def test_wrong_tax_code_is_shown_in_vietnamese_next_to_the_field(client):
    response = client.post(
        URL,
        form(
            kind="organisation",
            organisation_name="Công ty A",
            tax_code="0301234567",
            representative="B",
        ),
    )
    html = response.content.decode()
    assert "Mã số thuế không đúng (sai chữ số kiểm tra)." in html
    assert 'id="id_tax_code_error"' in html
    assert 'aria-describedby="id_tax_code_helptext id_tax_code_error"' in html
    assert 'aria-invalid="true"' in html
    assert '<div class="error-summary" tabindex="-1" role="alert"' in html
    assert 'href="#id_tax_code"' in html
    assert not User.objects.exists()


@pytest.mark.django_db
def test_citizen_ignores_organisation_fields(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, form(organisation_name="Công ty A", representative="B"))
    user = User.objects.get(email="cuc@example.vn")
    assert user.organisation_name == ""
    assert user.display_name == "Lê Thị Cúc"


@pytest.mark.django_db
def test_invalid_phone_is_refused(client):
    response = client.post(URL, form(phone="12345"))
    assert "Nhập số điện thoại di động Việt Nam gồm 10 chữ số" in response.content.decode()


@pytest.mark.django_db
def test_weak_or_mismatched_passwords_are_refused(client):
    response = client.post(URL, form(password1="12345678", password2="12345678"))
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    response = client.post(URL, form(password2="Khac-hoan-toan-2026"))
    assert "Hai mật khẩu không khớp nhau." in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_password_too_similar_to_the_email_is_refused(client):
    response = client.post(
        URL,
        form(email="hoasenno2026@example.vn", password1="hoasenno2026", password2="hoasenno2026"),
    )
    assert "password1" in response.context["form"].errors


@pytest.mark.django_db
def test_it_keeps_what_the_applicant_typed(client):
    response = client.post(URL, form(password2="x"))
    html = response.content.decode()
    assert 'value="Lê Thị Cúc"' in html
    assert 'value="cuc@example.vn"' in html
    assert NEW_PASSWORD not in html


@pytest.mark.django_db
def test_it_keeps_a_safe_next_through_registration(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form(next="/dossiers/"))
    assert response["Location"] == LOGIN + "?next=%2Fdossiers%2F"


@pytest.mark.django_db
def test_it_drops_an_offsite_next(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form(next="https://evil.example/"))
    assert response["Location"] == LOGIN


@pytest.mark.django_db
def test_logged_in_user_is_sent_to_profile(client, citizen):
    client.force_login(citizen)
    assert client.get(URL)["Location"] == reverse("accounts:profile")


# --- The same answer for known and unknown identifiers (decision 26) ---------------------

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _answer(client, data):
    response = client.post(URL, data)
    page = client.get(response["Location"]) if response.status_code == 302 else response
    return response.status_code, response.get("Location"), CSRF.sub("", page.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "taken",
    [
        {"email": "CUC@example.vn"},
        {"phone": "0912000111"},
        {"email": "cuc@example.vn", "phone": "0912000111"},
    ],
)
def test_known_and_unknown_identifiers_get_the_same_answer(taken):
    data = form(phone="0912000111")
    owner = UserFactory(email=taken.get("email", "khac@example.vn"), phone=taken.get("phone"))
    known = _answer(Client(), data)
    owner.delete()
    unknown = _answer(Client(), data)
    assert known == unknown
    assert known[0] == 302 and "Chúng tôi đã gửi thư đến cuc@example.vn" in known[2]


@pytest.mark.django_db
def test_an_invalid_form_does_not_tell_whether_the_address_is_taken(client, citizen):
    response = client.post(
        URL, form(email=citizen.email, phone=citizen.phone, password2="khac-han")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hai mật khẩu không khớp nhau." in html
    assert "đã được đăng ký" not in html


@pytest.mark.django_db
def test_the_owner_of_a_taken_address_is_told_instead(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    owner = UserFactory(email="cuc@example.vn")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, form(email="Cuc@Example.vn"))
    assert User.objects.count() == 1
    assert owner.check_password(PASSWORD)  # nothing about the account changed
    [mail] = mailoutbox
    assert mail.to == ["cuc@example.vn"]
    assert "Có người đăng ký tài khoản MotCua" in mail.subject
    assert "đặt lại mật khẩu" in mail.body
    assert reverse("accounts:password_reset") in mail.body


@pytest.mark.django_db
def test_a_taken_phone_tells_its_owner_and_the_new_address(
    client, citizen, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, form(phone="+84912345678"))
    assert not User.objects.filter(email="cuc@example.vn").exists()
    by_address = {tuple(mail.to): mail for mail in mailoutbox}
    assert "số điện thoại của tài khoản này" in by_address[(citizen.email,)].body
    assert "chưa được tạo" in by_address[("cuc@example.vn",)].body


@pytest.mark.django_db
def test_a_phone_registered_a_moment_before_is_answered_as_a_taken_one(
    client, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    """The race past the first look (decision 0026): the phone's owner registered between the
    look and the INSERT; the new address is still told why it got no account."""
    from motcua.accounts import services

    UserFactory(email="nhanh@example.vn", phone="0912000111")
    looks = []
    already_registered = services._already_registered

    def first_look_misses(email, phone):
        looks.append(phone)
        return False if len(looks) == 1 else already_registered(email, phone)

    monkeypatch.setattr(services, "_already_registered", first_look_misses)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, form(phone="0912000111"))
    assert len(looks) == 2  # the INSERT failed on the phone, and the second look found it
    assert not User.objects.filter(email="cuc@example.vn").exists()
    by_address = {tuple(mail.to): mail for mail in mailoutbox}
    assert "số điện thoại của tài khoản này" in by_address[("nhanh@example.vn",)].body
    assert "chưa được tạo" in by_address[("cuc@example.vn",)].body


@pytest.mark.django_db
def test_the_owner_is_told_once_an_hour_however_often_it_is_tried(
    mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="cuc@example.vn")
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            Client(REMOTE_ADDR=f"198.51.100.{n}").post(URL, form())
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_the_sixth_registration_from_one_address_is_refused(client, settings):
    settings.REGISTRATIONS_PER_HOUR = 5
    for n in range(5):
        response = client.post(URL, form(email=f"nguoi{n}@example.vn"))
        assert response.status_code == 302
    response = client.post(URL, form(email="nguoi5@example.vn"))
    assert response.status_code == 429
    assert "quá nhiều lượt đăng ký từ địa chỉ mạng của quý vị" in response.content.decode()
    assert not User.objects.filter(email="nguoi5@example.vn").exists()
    other = Client(REMOTE_ADDR="198.51.100.9").post(URL, form(email="nguoi6@example.vn"))
    assert other.status_code == 302


@pytest.mark.django_db
def test_the_error_summary_names_each_field_it_links_to(client):
    html = client.post(URL, form(full_name="")).content.decode()
    assert '<a href="#id_full_name">Họ và tên: Nhập họ và tên.</a>' in html
    # Beside the field, the message alone.
    assert 'id="id_full_name_error"' in html
    assert not User.objects.exists()
