import pytest
from django.urls import reverse

from motcua.accounts.models import User, VerificationCode
from motcua.accounts.tests.helpers import code_from
from motcua.core.models import AuditEntry
from motcua.factories import UserFactory

URL = reverse("accounts:register")
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
def test_it_registers_a_citizen_logs_in_and_emails_a_code(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form(phone="+84 912 000 111"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:verify")
    user = User.objects.get(email="cuc@example.vn")
    assert user.kind == User.Kind.CITIZEN
    assert user.phone == "0912000111"
    assert user.check_password(NEW_PASSWORD)
    assert not user.is_verified
    assert client.session["_auth_user_id"] == str(user.pk)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["cuc@example.vn"]
    code = code_from(mailoutbox[0])
    stored = VerificationCode.objects.get(user=user)
    assert code not in stored.code_hash
    assert AuditEntry.objects.filter(action="register", actor=user).exists()


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
def test_duplicate_email_is_refused_whatever_its_case(client):
    UserFactory(email="cuc@example.vn")
    response = client.post(URL, form(email="CUC@Example.VN"))
    assert response.status_code == 200
    assert "Địa chỉ thư điện tử này đã được đăng ký." in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_duplicate_phone_is_refused_in_any_format(client, citizen):
    response = client.post(URL, form(phone="+84912345678"))
    assert "Số điện thoại này đã được đăng ký." in response.content.decode()
    assert not User.objects.filter(email="cuc@example.vn").exists()


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
    assert response["Location"] == reverse("accounts:verify") + "?next=%2Fdossiers%2F"


@pytest.mark.django_db
def test_it_drops_an_offsite_next(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form(next="https://evil.example/"))
    assert response["Location"] == reverse("accounts:verify")


@pytest.mark.django_db
def test_logged_in_user_is_sent_to_profile(client, citizen):
    client.force_login(citizen)
    assert client.get(URL)["Location"] == reverse("accounts:profile")
