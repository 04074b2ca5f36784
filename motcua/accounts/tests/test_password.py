import re

from django.urls import reverse

from motcua.accounts.tests.helpers import PASSWORD
from motcua.core.models import AuditEntry

NEW_PASSWORD = "Cay-tre-xanh-2026"


def reset_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_reset_sends_a_vietnamese_link_for_an_email_in_any_case(
    client, citizen, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": citizen.email.upper()})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [citizen.email]
    assert "Đặt lại mật khẩu" in mailoutbox[0].subject


def test_reset_for_an_unknown_email_looks_the_same(client, db, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "khong@example.vn"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mailoutbox == []


def test_reset_mail_is_sent_after_the_requests_transaction(
    client, citizen, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        response = client.post(reverse("accounts:password_reset"), {"email": citizen.email})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mailoutbox == []
    for callback in after_commit:
        callback()
    [mail] = mailoutbox
    assert mail.to == [citizen.email]
    assert client.get(reset_link(mail)).status_code == 302  # a valid link


def test_reset_link_sets_a_new_password(
    client, citizen, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": citizen.email})
    link = reset_link(mailoutbox[0])
    response = client.get(link)
    assert response.status_code == 302  # Django swaps the token for a session marker
    form_url = response["Location"]
    html = client.get(form_url).content.decode()
    assert "Đặt mật khẩu mới" in html
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:password_reset_complete")
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(
        action="password_changed", actor=citizen, data__via="reset"
    ).exists()
    assert "Đường dẫn không còn hiệu lực" in client.get(link, follow=True).content.decode()


def test_forged_reset_link_is_refused(client, citizen):
    url = reverse("accounts:password_reset_confirm", args=["MQ", "sai-token"])
    assert "Đường dẫn không còn hiệu lực" in client.get(url).content.decode()


def test_password_change_needs_the_current_password(client, citizen):
    client.force_login(citizen)
    url = reverse("accounts:password_change")
    response = client.post(
        url,
        {"old_password": "sai", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert 'href="#id_old_password"' in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


def test_password_change_keeps_the_user_logged_in_and_is_audited(client, citizen):
    client.force_login(citizen)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("accounts:profile")
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert AuditEntry.objects.filter(
        action="password_changed", actor=citizen, data__via="change"
    ).exists()


def test_password_change_needs_login(client, db):
    response = client.get(reverse("accounts:password_change"))
    assert response["Location"].startswith(reverse("accounts:login"))


def test_reset_requests_from_one_address_are_limited(
    client, citizen, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.LOGIN_MAX_FAILURES = 1  # four requests per address and window
    for _ in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:password_reset"), {"email": citizen.email})
        assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mailoutbox) == 4
