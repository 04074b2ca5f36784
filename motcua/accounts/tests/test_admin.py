from django.urls import reverse

from motcua.accounts.testing import login_officer


def test_admin_lists_and_opens_users(client, citizen, make_officer):
    admin = make_officer(is_staff=True, is_superuser=True)
    login_officer(client, admin)
    response = client.get(reverse("admin:accounts_user_changelist") + "?q=0912345678")
    assert response.status_code == 200
    assert citizen.email in response.content.decode()
    assert client.get(reverse("admin:accounts_user_change", args=[citizen.pk])).status_code == 200
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200


def test_admin_refuses_an_applicant(client, citizen):
    client.force_login(citizen)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302


def test_admin_lists_members_and_authorisations_read_only(client, make_officer):
    from motcua.accounts.tests.representation_helpers import staff

    staff()
    admin = make_officer(is_staff=True, is_superuser=True)
    login_officer(client, admin)
    page = client.get(reverse("admin:accounts_organisationmember_changelist"))
    assert page.status_code == 200 and "Nguyễn Minh Khoa" in page.content.decode()
    assert client.get(reverse("admin:accounts_authorisation_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_organisationmember_add")).status_code == 403
