"""Demo data: the procedure catalogue plus three accounts with one published password.

FOR DEMONSTRATION ONLY. The password below is printed and written in the source, so anyone
can log in as the demo administrator: never run this command on a server reachable by
others. Running it again resets the three accounts to the values below.
"""

from datetime import date

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import (
    Authorisation,
    ExternalIdentity,
    Membership,
    OrganisationMember,
    Unit,
    User,
)
from motcua.accounts.validators import validate_citizen_id, validate_phone, validate_tax_code
from motcua.catalogue.models import Agency
from motcua.core.sandbox import data as population

DEMO_PASSWORD = "MotCua-Demo-2026"  # noqa: S105 - published demo credential, see module docstring

DEMO_ACCOUNTS = [
    {
        "label": "Công dân",
        "email": "citizen@demo.motcua.vn",
        "phone": "0912345678",
        "kind": User.Kind.CITIZEN,
        "full_name": "Lê Thị Thu Hà",
        # 046: Thừa Thiên Huế (now Huế); 1: woman born in the 1900s; 90: born 1990.
        "citizen_id": "046190012345",
        "date_of_birth": date(1990, 3, 15),
        "address": "12 Lê Lợi, phường Thuận Hóa, thành phố Huế",
    },
    {
        "label": "Tổ chức",
        "email": "doanhnghiep@demo.motcua.vn",
        "phone": "0905123456",
        "kind": User.Kind.ORGANISATION,
        "full_name": "Trần Văn Bình",
        "organisation_name": "Công ty TNHH Vận tải Hương Giang",
        "tax_code": "3300123456",
        "representative": "Trần Văn Bình",
        "address": "25 Hùng Vương, phường Thuận Hóa, thành phố Huế",
    },
    {
        "label": "Quản trị",
        "email": "admin@demo.motcua.vn",
        "phone": None,
        "kind": User.Kind.OFFICER,
        "full_name": "Quản trị hệ thống",
        "is_staff": True,
        "is_superuser": True,
    },
]


HUE = "000.00.18.H56"
MARITIME = "000.00.05.G12"
AVIATION = "000.00.06.G12"
REGISTRY = "000.00.07.G12"

# Officers of the demo agencies: (e-mail, name, agency, [(unit code, role), ...]).
DEMO_OFFICERS = [
    ("motcua@demo.motcua.vn", "Nguyễn Thị Mai", HUE, [("mot-cua", "desk")]),
    ("truongmotcua@demo.motcua.vn", "Phan Văn Hải", HUE, [("mot-cua", "unit_head")]),
    ("chuyenvien@demo.motcua.vn", "Trần Quốc Việt", HUE, [("quan-ly-van-tai", "specialist")]),
    ("truongphong@demo.motcua.vn", "Hoàng Minh Đức", HUE, [("quan-ly-van-tai", "unit_head")]),
    ("lanhdao@demo.motcua.vn", "Võ Thị Lan", HUE, [("lanh-dao", "leader")]),
    ("quantri@demo.motcua.vn", "Lê Quang Huy", HUE, [("mot-cua", "agency_admin")]),
    (
        "hanghai@demo.motcua.vn",
        "Đặng Văn Sơn",
        MARITIME,
        [("mot-cua", "desk"), ("dang-ky-tau-bien", "specialist")],
    ),
    ("lanhdao.hanghai@demo.motcua.vn", "Bùi Thị Hạnh", MARITIME, [("lanh-dao", "leader")]),
    (
        "hangkhong@demo.motcua.vn",
        "Ngô Thanh Tùng",
        AVIATION,
        [
            ("mot-cua", "desk"),
            ("tieu-chuan-tau-bay", "specialist"),
            ("tieu-chuan-tau-bay", "unit_head"),
        ],
    ),
    ("lanhdao.hangkhong@demo.motcua.vn", "Đỗ Minh Châu", AVIATION, [("lanh-dao", "leader")]),
    (
        "dangkiem@demo.motcua.vn",
        "Lý Văn Phúc",
        REGISTRY,
        [("mot-cua", "desk"), ("kiem-dinh", "specialist")],
    ),
]


@transaction.atomic
def ensure_demo_officer(email, full_name, agency_identifier, roles) -> User:

    agency = Agency.objects.get(identifier=agency_identifier)
    user = User.objects.filter(email__iexact=email).first() or User(email=email)
    user.kind = User.Kind.OFFICER
    user.full_name = full_name
    user.agency = agency
    user.is_active = True
    user.email_verified_at = user.email_verified_at or timezone.now()
    user.set_password(DEMO_PASSWORD)
    user.save()
    wanted = {(Unit.objects.get(agency=agency, code=code).pk, role) for code, role in roles}
    Membership.objects.filter(user=user).exclude(
        pk__in=[m.pk for m in Membership.objects.filter(user=user) if (m.unit_id, m.role) in wanted]
    ).delete()
    for unit_id, role in wanted:
        Membership.objects.get_or_create(user=user, unit_id=unit_id, role=role)
    return user


def _check(account: dict) -> None:
    """The demo identities are valid Vietnamese identifiers, so they pass the same checks."""
    if account.get("phone"):
        validate_phone(account["phone"])
    if account.get("citizen_id"):
        validate_citizen_id(account["citizen_id"], account.get("date_of_birth"))
    if account.get("tax_code"):
        validate_tax_code(account["tax_code"])


@transaction.atomic
def ensure_demo_account(account: dict) -> User:
    fields = {k: v for k, v in account.items() if k not in ("label", "email")}
    _check(account)
    user = User.objects.filter(email__iexact=account["email"]).first()
    if user is None:
        if fields.pop("is_superuser", False):
            fields.pop("is_staff", None)
            return User.objects.create_superuser(account["email"], DEMO_PASSWORD, **fields)
        return User.objects.create_user(
            account["email"], DEMO_PASSWORD, email_verified_at=timezone.now(), **fields
        )
    for name, value in fields.items():
        setattr(user, name, value)
    user.is_active = True
    user.email_verified_at = user.email_verified_at or timezone.now()
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


# People of the invented population (core/sandbox/people.json) with accounts of their own:
# (ID number, login e-mail, phone). Their identity counts as vouched for by VNeID, so the
# company's memberships bind to them by ID number before anyone signs in with VNeID.
# Trần Văn Bình's phone is the company's, already on its account.
DEMO_PEOPLE = [
    ("046085001234", "binh.tran@huonggiang.example.vn", None),
    ("046092004567", "khoa.nguyen@huonggiang.example.vn", "0935111222"),
    ("046195007890", "lan.pham@huonggiang.example.vn", "0935333444"),
    ("079080002468", "dung.hoang@demo.motcua.vn", "0988777666"),
]
# The demo company's staff (decision 0076): ID number and role.
DEMO_MEMBERS = [
    ("046085001234", OrganisationMember.Role.ADMINISTRATOR),  # its legal representative
    ("046092004567", OrganisationMember.Role.APPLICANT),
    ("046195007890", OrganisationMember.Role.FOLLOWER),
]
# Lê Thị Thu Hà lets Hoàng Văn Dũng apply for her until the end of next year.
DEMO_AGENT = "079080002468"


def ensure_demo_person(citizen_id: str, email: str, phone: str | None) -> User:
    record = population.person(citizen_id)
    born = date.fromisoformat(record["date_of_birth"])
    return ensure_demo_account(
        {
            "label": "Cá nhân",
            "email": email,
            "phone": phone,
            "kind": User.Kind.CITIZEN,
            "full_name": record["full_name"],
            "citizen_id": citizen_id,
            "date_of_birth": born,
            "address": record["current_address"],
            "identity_provider": "vneid",
            "identity_assurance": str(record.get("vneid_level", 2)),
            "identity_verified_at": timezone.now(),
        }
    )


def ensure_demo_identities(users: list[User]) -> None:
    """The demo people's accounts are the ones the VNeID sandbox signs them in to (its subject
    for their ID number), so that signing in with VNeID lands in the account that holds the
    demo memberships and dossiers rather than in a new one."""
    from motcua.accounts.contrib.vneid_sandbox.provider import subject

    for user in users:
        ExternalIdentity.objects.get_or_create(
            provider="vneid",
            subject=subject(user.citizen_id),
            defaults={"user": user, "assurance": user.identity_assurance or "2"},
        )


@transaction.atomic
def ensure_demo_representation(company: User, citizen: User, people: dict[str, User]) -> None:
    """The company's members and the citizen's authorisation, as listed above: running again
    restores them (in force, same roles) without adding rows."""
    today = timezone.localdate()
    for citizen_id, role in DEMO_MEMBERS:
        person = people[citizen_id]
        member = OrganisationMember.objects.filter(
            organisation=company, citizen_id=citizen_id, ended_at__isnull=True
        ).first() or OrganisationMember(
            organisation=company, citizen_id=citizen_id, created_by=company, valid_from=today
        )
        member.full_name, member.role, member.user = person.full_name, role, person
        member.valid_from, member.valid_until = min(member.valid_from, today), None
        member.save()
    agent = people[DEMO_AGENT]
    until = date(today.year + 1, 12, 31)
    found = Authorisation.objects.filter(
        principal=citizen, citizen_id=DEMO_AGENT, ended_at__isnull=True
    ).first() or Authorisation(
        principal=citizen, citizen_id=DEMO_AGENT, created_by=citizen, valid_from=today
    )
    found.full_name, found.user, found.all_procedures = agent.full_name, agent, True
    found.valid_from, found.valid_until = min(found.valid_from, today), until
    found.save()


class Command(BaseCommand):
    help = (
        "Nạp danh mục thủ tục và tạo ba tài khoản trình diễn (công dân, tổ chức, quản trị) "
        "với mật khẩu chung được in ra. Chỉ dùng thử, không dùng trên máy chủ thật."
    )

    def handle(self, *args, **options):
        call_command("load_catalogue", stdout=self.stdout, stderr=self.stderr)
        call_command("load_organisation", stdout=self.stdout, stderr=self.stderr)
        users = [(account["label"], ensure_demo_account(account)) for account in DEMO_ACCOUNTS]
        officers = [ensure_demo_officer(*officer) for officer in DEMO_OFFICERS]
        people = {row[0]: ensure_demo_person(*row) for row in DEMO_PEOPLE}
        by_label = dict(users)
        ensure_demo_representation(by_label["Tổ chức"], by_label["Công dân"], people)
        if settings.SANDBOX_ENABLED:
            ensure_demo_identities([by_label["Công dân"], *people.values()])
        self.stdout.write("")
        self.stdout.write(
            self.style.WARNING("Tài khoản trình diễn (CHỈ DÙNG THỬ, không dùng trên máy chủ thật):")
        )
        for label, user in users:
            login = user.email + (f" hoặc {user.phone}" if user.phone else "")
            self.stdout.write(f"  {label:<9} {login:<45} {user.display_name}")
        self.stdout.write(
            "  Thành viên của Công ty TNHH Vận tải Hương Giang, và người được ủy quyền:"
        )
        roles = dict(DEMO_MEMBERS)
        for citizen_id, person in people.items():
            role = roles.get(citizen_id)
            what = role.label if role else "được Lê Thị Thu Hà ủy quyền"
            self.stdout.write(f"    {person.email:<34} {person.full_name} ({what})")
        self.stdout.write(
            "  Cán bộ (đăng nhập lần đầu sẽ cài đặt xác thực hai bước bằng ứng dụng OTP):"
        )
        for officer in officers:
            roles = ", ".join(
                f"{m.get_role_display()} – {m.unit.name}"
                for m in officer.memberships.select_related("unit")
            )
            self.stdout.write(f"    {officer.email:<34} {roles}")
        self.stdout.write(f"  Mật khẩu chung: {DEMO_PASSWORD}")
        self.stdout.write("  Trang quản trị: /admin/ (tài khoản admin@demo.motcua.vn)")
        self._vneid_lines()

    def _vneid_lines(self):
        """Who can sign in at the sandbox VNeID (docs/identity.md), when it is on."""
        from motcua.accounts import identity
        from motcua.core.sandbox import data

        if not settings.SANDBOX_ENABLED or identity.active("vneid") is None:
            return
        self.stdout.write(
            "  Đăng nhập VNeID thử nghiệm (nút trên trang đăng nhập): số định danh, "
            f"mật khẩu {settings.SANDBOX_VNEID_PASSWORD}"
        )
        for person in data.people():
            self.stdout.write(
                f"    {person['citizen_id']}  {person['full_name']} (mức {person['vneid_level']})"
            )
        self.stdout.write(
            "    (mỗi người đã liên kết với tài khoản trình diễn của mình: Lê Thị Thu Hà là "
            "citizen@demo.motcua.vn; Nguyễn Minh Khoa nộp hồ sơ cho công ty, Phạm Thị Lan theo dõi)"
        )
