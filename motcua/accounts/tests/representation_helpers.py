"""People of an organisation for the tests of acting for someone (decision 0076): the company,
its legal representative, two more of its staff, and a stranger; identities vouched for."""

from dataclasses import dataclass

from django.utils import timezone

from motcua.accounts import members
from motcua.accounts.models import OrganisationMember, User
from motcua.factories import UserFactory

ADMIN_ID, APPLICANT_ID, FOLLOWER_ID, AGENT_ID = (
    "046085001234",
    "046092004567",
    "046195007890",
    "079080002468",
)


def person(full_name: str, citizen_id: str, **fields) -> User:
    """A citizen whose identity an identity provider vouched for with this ID number."""
    fields.setdefault("identity_provider", "vneid")
    fields.setdefault("identity_assurance", "2")
    fields.setdefault("identity_verified_at", timezone.now())
    return UserFactory(full_name=full_name, citizen_id=citizen_id, phone=None, **fields)


def company(**fields) -> User:
    fields.setdefault("organisation_name", "Công ty TNHH Vận tải Hương Giang")
    return UserFactory(
        kind=User.Kind.ORGANISATION,
        full_name="Trần Văn Bình",
        tax_code="3300123456",
        citizen_id="",
        phone=None,
        **fields,
    )


@dataclass
class Staff:
    company: User
    admin: User
    applicant: User
    follower: User


def staff() -> Staff:
    """A company whose own account added an administrator, an applicant and a follower."""
    org = company()
    people = Staff(
        company=org,
        admin=person("Trần Văn Bình", ADMIN_ID),
        applicant=person("Nguyễn Minh Khoa", APPLICANT_ID),
        follower=person("Phạm Thị Lan", FOLLOWER_ID),
    )
    for who, role in (
        (people.admin, OrganisationMember.Role.ADMINISTRATOR),
        (people.applicant, OrganisationMember.Role.APPLICANT),
        (people.follower, OrganisationMember.Role.FOLLOWER),
    ):
        members.member_add(
            organisation=org,
            citizen_id=who.citizen_id,
            full_name=who.full_name,
            role=role,
            actor=org,
        )
    return people
