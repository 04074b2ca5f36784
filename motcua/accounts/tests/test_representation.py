"""The one rule of acting for someone (accounts.representation) and the writes behind it."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from motcua.accounts import members, representation
from motcua.accounts.models import Authorisation, OrganisationMember
from motcua.accounts.tests.representation_helpers import (
    AGENT_ID,
    APPLICANT_ID,
    company,
    person,
    staff,
)
from motcua.core.models import AuditEntry
from motcua.factories import PDF_BYTES, UserFactory

pytestmark = pytest.mark.django_db


def _authorise(principal, agent, *, days=30, **fields):
    return members.authorisation_create(
        principal=principal,
        citizen_id=agent.citizen_id,
        full_name=agent.full_name,
        valid_until=timezone.localdate() + timedelta(days=days),
        **fields,
    )


def test_a_member_who_applies_may_act_and_a_follower_only_follow():
    people = staff()
    acting = representation.standing(people.applicant, people.company.pk, act=True)
    assert acting.via == "member" and acting.may_act
    assert acting.member.role == "applicant"
    following = representation.standing(people.follower, people.company.pk)
    assert following.via == "member" and not following.may_act
    assert representation.standing(people.follower, people.company.pk, act=True) is None


def test_a_stranger_and_an_officer_represent_nobody():
    people = staff()
    stranger = person("Đỗ Văn Lạ", "001090012345")
    assert representation.standing(stranger, people.company.pk) is None
    officer = UserFactory(kind="officer", citizen_id=APPLICANT_ID)
    assert representation.standings(officer) == []


def test_a_verified_identity_binds_but_a_typed_id_number_does_not():
    org = company()
    members.member_add(
        organisation=org,
        citizen_id=APPLICANT_ID,
        full_name="Nguyễn Minh Khoa",
        role="applicant",
        actor=org,
    )
    # Typed on the profile, never vouched for: nothing.
    typed = UserFactory(citizen_id=APPLICANT_ID, full_name="Kẻ mạo danh", phone=None)
    assert representation.standing(typed, org.pk) is None
    # Signs in with VNeID later: the rule finds the grant, and sign-in binds it.
    verified = person("Nguyễn Minh Khoa", APPLICANT_ID)
    assert representation.standing(verified, org.pk, act=True) is not None
    assert members.bind_verified_identity(user=verified) == 1
    assert OrganisationMember.objects.get().user == verified


def test_a_membership_ends_on_its_last_day_and_when_it_is_ended(clock):
    people = staff()
    member = OrganisationMember.objects.get(user=people.applicant)
    member.valid_until = date(2026, 12, 31)
    member.save()
    clock.set(2026, 12, 31, 23, 0)
    assert representation.standing(people.applicant, people.company.pk, act=True)
    clock.set(2027, 1, 1, 0, 5)
    assert representation.standing(people.applicant, people.company.pk) is None
    clock.set(2026, 12, 1)
    members.member_end(member=member, actor=people.company)
    assert representation.standing(people.applicant, people.company.pk) is None


def test_a_grant_not_yet_in_force_gives_nothing():
    people = staff()
    OrganisationMember.objects.filter(user=people.applicant).update(
        valid_from=timezone.localdate() + timedelta(days=2)
    )
    assert representation.standing(people.applicant, people.company.pk) is None


def test_an_authorisation_lets_the_agent_act_within_its_scope_until_its_end(clock):
    clock.set(2026, 12, 1)
    principal = UserFactory(full_name="Lê Thị Thu Hà", citizen_id="046190012345")
    agent = person("Hoàng Văn Dũng", AGENT_ID)
    authorisation = _authorise(
        principal, agent, days=30, all_procedures=False, procedure_codes=["1.000123"]
    )
    found = representation.standing(agent, principal.pk, procedure_code="1.000123", act=True)
    assert found.authorisation == authorisation and found.via == "authorisation"
    assert representation.standing(agent, principal.pk, procedure_code="2.002288") is None
    assert "theo giấy ủy quyền số UQ-" in found.describe() and "31/12/2026" in found.describe()
    clock.set(2027, 1, 1)
    assert representation.standing(agent, principal.pk) is None


def test_a_revoked_authorisation_gives_nothing_and_only_its_principal_revokes():
    principal = UserFactory(full_name="Lê Thị Thu Hà", citizen_id="046190012345")
    agent = person("Hoàng Văn Dũng", AGENT_ID)
    authorisation = _authorise(principal, agent)
    with pytest.raises(PermissionDenied):
        members.authorisation_revoke(authorisation=authorisation, actor=agent)
    members.authorisation_revoke(authorisation=authorisation, actor=principal)
    assert representation.standing(agent, principal.pk) is None
    assert AuditEntry.objects.filter(action="authorisation_revoked").count() == 1


def test_an_authorisation_needs_an_end_date_in_the_future():
    principal = UserFactory(full_name="Lê Thị Thu Hà", citizen_id="046190012345")
    for until in (None, timezone.localdate() - timedelta(days=1)):
        with pytest.raises(ValidationError) as refused:
            members.authorisation_create(
                principal=principal,
                citizen_id=AGENT_ID,
                full_name="Hoàng Văn Dũng",
                valid_until=until,
            )
        assert "valid_until" in refused.value.message_dict
    assert not Authorisation.objects.exists()


def test_the_scanned_letter_is_checked_by_content():
    principal = UserFactory(full_name="Lê Thị Thu Hà", citizen_id="046190012345")
    agent = person("Hoàng Văn Dũng", AGENT_ID)
    fake = SimpleUploadedFile("giay-uy-quyen.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError):
        _authorise(principal, agent, document=fake)
    good = SimpleUploadedFile("giay uy quyen.pdf", PDF_BYTES, content_type="application/pdf")
    authorisation = _authorise(principal, agent, document=good)
    assert authorisation.document_type == "application/pdf"
    assert authorisation.document_name == "giay uy quyen.pdf"


def test_only_the_organisation_and_its_administrators_manage_members():
    people = staff()
    newcomer = {"citizen_id": AGENT_ID, "full_name": "Hoàng Văn Dũng", "role": "follower"}
    for refused in (people.applicant, people.follower, person("Người lạ", "001090012345")):
        with pytest.raises(PermissionDenied):
            members.member_add(organisation=people.company, actor=refused, **newcomer)
    added = members.member_add(organisation=people.company, actor=people.admin, **newcomer)
    assert added.created_by == people.admin
    entry = AuditEntry.objects.filter(action="member_added").latest("id")
    assert entry.actor == people.admin and entry.target == f"member:{added.pk}"


def test_a_person_is_a_member_once_and_an_administrator_cannot_drop_their_own_rights():
    people = staff()
    with pytest.raises(ValidationError):
        members.member_add(
            organisation=people.company,
            citizen_id=APPLICANT_ID,
            full_name="Nguyễn Minh Khoa",
            role="follower",
            actor=people.company,
        )
    own = OrganisationMember.objects.get(user=people.admin)
    with pytest.raises(ValidationError):
        members.member_change(member=own, role="follower", valid_until=None, actor=people.admin)
    members.member_change(member=own, role="follower", valid_until=None, actor=people.company)
    assert AuditEntry.objects.filter(action="member_changed").count() == 1


def test_an_invitation_binds_only_the_account_it_was_sent_to():
    org = company()
    member = members.member_add(
        organisation=org,
        citizen_id=APPLICANT_ID,
        full_name="Nguyễn Minh Khoa",
        role="applicant",
        invited_email="Khoa@Example.vn",
        actor=org,
    )
    other = UserFactory(email="other@example.vn", citizen_id="", phone=None)
    with pytest.raises(PermissionDenied):
        members.invitation_accept(grant=member, user=other)
    # An unconfirmed address is nobody's, even on an account whose identity VNeID vouched for.
    unconfirmed = UserFactory(
        email="khoa@example.vn",
        citizen_id="",
        phone=None,
        email_verified_at=None,
        identity_verified_at=timezone.now(),
    )
    assert members.invitations_for(unconfirmed) == []
    with pytest.raises(PermissionDenied):
        members.invitation_accept(grant=member, user=unconfirmed)
    unconfirmed.delete()
    invited = UserFactory(email="khoa@example.vn", citizen_id="", phone=None)
    assert members.invitations_for(invited) == [member]
    members.invitation_accept(grant=member, user=invited)
    assert representation.standing(invited, org.pk, act=True).member == member


def test_followers_are_every_member_and_agent_in_force_once():
    people = staff()
    # The applicant is also authorised by the company: still told once.
    _authorise(people.company, people.applicant)
    found = representation.followers(people.company.pk)
    assert sorted(u.pk for u in found) == sorted(
        [people.admin.pk, people.applicant.pk, people.follower.pk]
    )


def test_signing_in_binds_the_grants_waiting_for_the_verified_id_number(client):
    org = company()
    members.member_add(
        organisation=org,
        citizen_id=APPLICANT_ID,
        full_name="Nguyễn Minh Khoa",
        role="applicant",
        actor=org,
    )
    khoa = person("Nguyễn Minh Khoa", APPLICANT_ID)
    client.force_login(khoa)
    assert OrganisationMember.objects.get().user == khoa
    assert AuditEntry.objects.filter(action="grant_bound", actor=khoa).count() == 1
