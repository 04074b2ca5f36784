from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from motcua.accounts import services
from motcua.accounts.models import VerificationCode
from motcua.accounts.tests.helpers import code_from
from motcua.factories import UserFactory

URL = reverse("accounts:verify")
RESEND = reverse("accounts:verify_resend")


@pytest.fixture
def unverified(db):
    return UserFactory(email="moi@example.vn", email_verified_at=None)


@pytest.fixture
def sent_code(unverified, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_verification_code(user=unverified)
    return code_from(mailoutbox[-1])


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_it_verifies_with_the_emailed_code(client, unverified, sent_code):
    client.force_login(unverified)
    response = client.post(URL, {"code": sent_code})
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:mine")
    unverified.refresh_from_db()
    assert unverified.is_verified
    assert not services.user_must_verify(unverified)


def test_it_accepts_spaces_in_the_code(client, unverified, sent_code):
    client.force_login(unverified)
    client.post(URL, {"code": f" {sent_code[:3]} {sent_code[3:]} "})
    unverified.refresh_from_db()
    assert unverified.is_verified


def test_wrong_code_is_refused_and_counted(client, unverified, sent_code):
    client.force_login(unverified)
    response = client.post(URL, {"code": wrong(sent_code)})
    html = response.content.decode()
    assert "Mã xác thực không đúng. Quý vị còn 4 lần thử." in html
    assert 'href="#id_code"' in html
    assert VerificationCode.objects.get(user=unverified).attempts == 1
    unverified.refresh_from_db()
    assert not unverified.is_verified


def test_five_wrong_codes_lock_the_code_even_the_right_one(client, unverified, sent_code):
    client.force_login(unverified)
    for _ in range(5):
        response = client.post(URL, {"code": wrong(sent_code)})
    assert "nhập sai mã quá nhiều lần" in response.content.decode()
    response = client.post(URL, {"code": sent_code})
    assert "nhập sai mã quá nhiều lần" in response.content.decode()
    unverified.refresh_from_db()
    assert not unverified.is_verified


def test_expired_code_is_refused(client, unverified, sent_code):
    VerificationCode.objects.filter(user=unverified).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    client.force_login(unverified)
    response = client.post(URL, {"code": sent_code})
    assert "Mã xác thực đã hết hạn." in response.content.decode()
    unverified.refresh_from_db()
    assert not unverified.is_verified


def test_code_expires_after_the_configured_ttl(settings, unverified, sent_code):
    code = VerificationCode.objects.get(user=unverified)
    ttl = (code.expires_at - code.created_at).total_seconds()
    assert abs(ttl - settings.VERIFICATION_CODE_TTL_SECONDS) < 5


def test_used_code_cannot_be_used_twice(client, unverified, sent_code):
    services.verify_email(user=unverified, code=sent_code)
    unverified.email_verified_at = None
    unverified.save(update_fields=["email_verified_at"])
    with pytest.raises(ValidationError):
        services.verify_email(user=unverified, code=sent_code)


def test_non_numeric_code_is_refused_without_counting(client, unverified, sent_code):
    client.force_login(unverified)
    response = client.post(URL, {"code": "abc"})
    assert "Mã xác thực gồm đúng 6 chữ số." in response.content.decode()
    assert VerificationCode.objects.get(user=unverified).attempts == 0


def test_resend_is_limited_to_one_a_minute(client, unverified, sent_code, mailoutbox):
    client.force_login(unverified)
    response = client.post(RESEND, follow=True)
    assert "Vui lòng đợi" in response.content.decode()
    assert len(mailoutbox) == 1


def test_resend_after_a_minute_replaces_the_old_code(
    client, unverified, sent_code, mailoutbox, django_capture_on_commit_callbacks
):
    VerificationCode.objects.filter(user=unverified).update(
        created_at=timezone.now() - timedelta(seconds=61)
    )
    client.force_login(unverified)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESEND)
    assert response.status_code == 302
    assert len(mailoutbox) == 2
    new_code = code_from(mailoutbox[-1])
    if new_code != sent_code:
        with pytest.raises(ValidationError):
            services.verify_email(user=unverified, code=sent_code)
    services.verify_email(user=unverified, code=new_code)
    unverified.refresh_from_db()
    assert unverified.is_verified


def test_resend_by_get_is_refused(client, unverified):
    client.force_login(unverified)
    assert client.get(RESEND).status_code == 405


def test_verify_needs_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_verified_user_is_sent_on(client, citizen):
    client.force_login(citizen)
    assert client.get(URL)["Location"] == reverse("dossiers:mine")


def test_user_must_verify_only_unverified_applicants(db, unverified, make_officer):
    officer = make_officer(email_verified_at=None)
    assert services.user_must_verify(unverified)
    assert not services.user_must_verify(officer)
    assert not services.user_must_verify(UserFactory())

    assert not services.user_must_verify(AnonymousUser())
