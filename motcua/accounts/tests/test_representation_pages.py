"""The members page (/accounts/organisation/members/) and the authorisations page
(/accounts/authorisations/): the organisation, a member administrator, and those refused."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from motcua.accounts import members
from motcua.accounts.models import Authorisation, OrganisationMember
from motcua.accounts.tests.representation_helpers import AGENT_ID, person, staff
from motcua.core.models import AuditEntry
from motcua.factories import PDF_BYTES, UserFactory

pytestmark = pytest.mark.django_db

MEMBERS = "/accounts/organisation/members/"
AUTHORISATIONS = "/accounts/authorisations/"


def _in(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).strftime("%d/%m/%Y")


def test_the_organisation_adds_a_member_by_id_number_role_and_end_date(client):
    people = staff()
    newcomer = person("Hoàng Văn Dũng", AGENT_ID)
    client.force_login(people.company)
    page = client.get(MEMBERS)
    assert page.status_code == 200 and "Nguyễn Minh Khoa" in page.content.decode()
    response = client.post(
        MEMBERS,
        {
            "citizen_id": AGENT_ID,
            "full_name": "Hoàng Văn Dũng",
            "role": "applicant",
            "valid_until": _in(90),
        },
    )
    assert response.status_code == 302
    member = OrganisationMember.objects.get(citizen_id=AGENT_ID)
    assert member.user == newcomer and member.role == "applicant"
    assert member.valid_until == timezone.localdate() + timedelta(days=90)
    assert AuditEntry.objects.filter(action="member_added", target=f"member:{member.pk}").exists()


def test_a_wrong_id_number_is_explained_beside_the_field(client):
    people = staff()
    client.force_login(people.company)
    response = client.post(MEMBERS, {"citizen_id": "12", "full_name": "A", "role": "applicant"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_citizen_id"' in page and "Số định danh cá nhân" in page


def test_a_member_administrator_manages_and_ends_a_member(client):
    people = staff()
    client.force_login(people.admin)
    url = f"{MEMBERS}?org={people.company.pk}"
    assert client.get(url).status_code == 200
    member = OrganisationMember.objects.get(user=people.follower)
    prefix = f"m{member.pk}"
    client.post(
        reverse("accounts:member_change", args=[member.pk]),
        {f"{prefix}-role": "applicant", f"{prefix}-valid_until": _in(10)},
    )
    member.refresh_from_db()
    assert member.role == "applicant"
    response = client.post(reverse("accounts:member_end", args=[member.pk]))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.ended_by == people.admin and member.ended_at is not None


@pytest.mark.parametrize("who", ["applicant", "follower", "stranger"])
def test_anyone_else_gets_404_on_the_members_pages(client, who):
    people = staff()
    user = person("Người lạ", "001090012345") if who == "stranger" else getattr(people, who)
    client.force_login(user)
    member = OrganisationMember.objects.get(user=people.follower)
    assert client.get(f"{MEMBERS}?org={people.company.pk}").status_code == 404
    assert client.get(MEMBERS).status_code == 404
    assert client.post(reverse("accounts:member_end", args=[member.pk])).status_code == 404
    member.refresh_from_db()
    assert member.ended_at is None


def test_a_citizen_authorises_a_person_with_an_end_date_and_a_letter_then_revokes(client):
    principal = UserFactory(full_name="Lê Thị Thu Hà", citizen_id="046190012345")
    agent = person("Hoàng Văn Dũng", AGENT_ID)
    client.force_login(principal)
    missing = client.post(
        AUTHORISATIONS, {"citizen_id": AGENT_ID, "full_name": "Hoàng Văn Dũng", "scope": "all"}
    )
    assert missing.status_code == 400 and 'href="#id_valid_until"' in missing.content.decode()
    response = client.post(
        AUTHORISATIONS,
        {
            "citizen_id": AGENT_ID,
            "full_name": "Hoàng Văn Dũng",
            "valid_until": _in(60),
            "scope": "some",
            "procedure_codes": "1.000123, 2.002288",
            "document": SimpleUploadedFile("uq.pdf", PDF_BYTES, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    authorisation = Authorisation.objects.get()
    assert authorisation.user == agent
    assert authorisation.procedure_codes == ["1.000123", "2.002288"]
    document = reverse("accounts:authorisation_document", args=[authorisation.pk])
    assert client.get(document).status_code == 200

    client.force_login(agent)
    page = client.get(AUTHORISATIONS).content.decode()
    assert "Lê Thị Thu Hà" in page and "Đang hiệu lực" in page
    assert client.get(document).status_code == 200
    revoke = reverse("accounts:authorisation_revoke", args=[authorisation.pk])
    assert client.post(revoke).status_code == 404  # only the principal revokes

    client.force_login(principal)
    client.post(revoke)
    authorisation.refresh_from_db()
    assert authorisation.ended_by == principal
    # Revoked: the former agent no longer gets the letter; the principal still does.
    client.force_login(agent)
    assert client.get(document).status_code == 404
    client.force_login(principal)
    assert client.get(document).status_code == 200


def test_a_stranger_gets_404_for_someone_elses_letter(client):
    principal = UserFactory(full_name="Lê Thị Thu Hà", citizen_id="046190012345")
    authorisation = members.authorisation_create(
        principal=principal,
        citizen_id=AGENT_ID,
        full_name="Hoàng Văn Dũng",
        valid_until=timezone.localdate() + timedelta(days=5),
    )
    client.force_login(person("Người lạ", "001090012345"))
    document = reverse("accounts:authorisation_document", args=[authorisation.pk])
    assert client.get(document).status_code == 404


def test_the_invited_person_accepts_on_the_authorisations_page(client):
    people = staff()
    client.force_login(people.company)
    client.post(
        MEMBERS,
        {
            "citizen_id": AGENT_ID,
            "full_name": "Hoàng Văn Dũng",
            "role": "follower",
            "invited_email": "dung@example.vn",
        },
    )
    member = OrganisationMember.objects.get(citizen_id=AGENT_ID)
    invited = UserFactory(email="dung@example.vn", citizen_id="", phone=None)
    client.force_login(invited)
    assert "Nhận lời" in client.get(AUTHORISATIONS).content.decode()
    client.post(reverse("accounts:invitation_accept", args=["member", member.pk]))
    member.refresh_from_db()
    assert member.user == invited and member.accepted_at is not None
