from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    def create_user(self, email=None, password=None, **fields):
        if not email and not fields.get("phone"):
            raise ValueError("A user needs an e-mail address or a phone number.")
        user = self.model(email=self.normalize_email(email) or None, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password, **fields):
        fields.update(is_staff=True, is_superuser=True, kind=User.Kind.OFFICER)
        fields.setdefault("email_verified_at", timezone.now())
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who logs in: citizens (công dân), organisations (tổ chức) and officers (cán bộ).

    Applicants and officers share one table so that audit rows and dossier events point
    at one kind of actor; what an account may do is decided by `kind` and, for officers,
    by their unit memberships.
    """

    class Kind(models.TextChoices):
        CITIZEN = "citizen", _("Công dân")
        ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")
        OFFICER = "officer", _("Cán bộ")

    email = models.EmailField(_("thư điện tử"), null=True, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=15, null=True, blank=True)
    kind = models.CharField(_("loại tài khoản"), max_length=16, choices=Kind.choices)
    full_name = models.CharField(_("họ và tên"), max_length=200)
    citizen_id = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    organisation_name = models.CharField(_("tên tổ chức"), max_length=300, blank=True)
    tax_code = models.CharField(_("mã số thuế"), max_length=14, blank=True)
    representative = models.CharField(
        _("người đại diện theo pháp luật"), max_length=200, blank=True
    )
    agency = models.ForeignKey(
        "catalogue.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officers",
        verbose_name=_("cơ quan công tác"),
        help_text=_("Chỉ dành cho cán bộ."),
    )
    email_verified_at = models.DateTimeField(_("xác thực thư điện tử lúc"), null=True, blank=True)
    # Who vouched for the person's identity (issue 16, decision 0073): set from the verified
    # claims of a national identity provider ("vneid"), with its level of assurance ("1",
    # "2"). While set, the name, the ID number and the date of birth come from there and the
    # profile page does not let them be edited.
    identity_provider = models.CharField(
        _("xác thực danh tính qua"), max_length=20, blank=True, db_default=""
    )
    identity_assurance = models.CharField(
        _("mức độ xác thực"), max_length=10, blank=True, db_default=""
    )
    identity_verified_at = models.DateTimeField(_("xác thực danh tính lúc"), null=True, blank=True)
    language = models.CharField(
        _("ngôn ngữ"),
        max_length=8,
        choices=[("vi", "Tiếng Việt"), ("en", "English")],
        default="vi",
        help_text=_("Ngôn ngữ của thông báo gửi cho tài khoản."),
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    is_staff = models.BooleanField(_("vào trang quản trị"), default=False)
    date_joined = models.DateTimeField(_("ngày đăng ký"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.UniqueConstraint(fields=["phone"], name="user_phone_unique"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.organisation_name or self.full_name or self.email or self.phone or "?"

    @property
    def is_applicant(self) -> bool:
        return self.kind in (self.Kind.CITIZEN, self.Kind.ORGANISATION)

    @property
    def is_verified(self) -> bool:
        """The account is vouched for: its e-mail address was confirmed with a code, or the
        person's identity was verified by a national identity provider (decision 0075)."""
        return self.email_verified_at is not None or self.identity_verified_at is not None

    @property
    def has_verified_identity(self) -> bool:
        """The name, ID number and date of birth were vouched for by an identity provider."""
        return self.identity_verified_at is not None


class VerificationCode(models.Model):
    """A six-digit code sent by e-mail to confirm an address (mã xác thực); stored hashed."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="verification_codes")
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.user_id} {self.created_at:%d/%m/%Y %H:%M}"


class Role(models.TextChoices):
    """What an officer does in a unit (vai trò)."""

    DESK = "desk", _("Cán bộ một cửa")
    SPECIALIST = "specialist", _("Chuyên viên xử lý")
    UNIT_HEAD = "unit_head", _("Lãnh đạo phòng")
    LEADER = "leader", _("Lãnh đạo cơ quan (người ký)")
    AGENCY_ADMIN = "agency_admin", _("Quản trị cơ quan")


class Unit(models.Model):
    """A unit of an agency (đơn vị): the one-stop desk, a specialist department, the leadership."""

    class Kind(models.TextChoices):
        DESK = "desk", _("Bộ phận Một cửa")
        SPECIALIST = "specialist", _("Phòng chuyên môn")
        LEADERSHIP = "leadership", _("Lãnh đạo cơ quan")

    agency = models.ForeignKey(
        "catalogue.Agency",
        on_delete=models.PROTECT,
        related_name="units",
        verbose_name=_("cơ quan"),
    )
    code = models.SlugField(_("mã đơn vị"), max_length=30)
    name = models.CharField(_("tên đơn vị"), max_length=300)
    kind = models.CharField(_("loại đơn vị"), max_length=16, choices=Kind.choices)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        ordering = ["agency_id", "kind", "name"]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="unit_code_unique")]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """An officer's role in one unit; an officer may hold several (phân công)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")
        ]

    def __str__(self):
        return f"{self.user} · {self.unit} · {self.get_role_display()}"

    def clean(self):
        if self.user_id and self.unit_id and self.user.agency_id != self.unit.agency_id:
            raise ValidationError(
                {"unit": _("Cán bộ chỉ được phân công vào đơn vị thuộc cơ quan của mình.")}
            )


class ExternalIdentity(models.Model):
    """A person's account at a national identity provider (VNeID) tied to a MotCua account.

    The provider's subject maps to one account, and an account has at most one identity per
    provider: signing in with that identity signs in to that account (docs/identity.md).
    """

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="external_identities",
        verbose_name=_("tài khoản"),
    )
    provider = models.CharField(_("nhà cung cấp định danh"), max_length=20)
    subject = models.CharField(_("mã định danh tại nhà cung cấp"), max_length=255)
    assurance = models.CharField(_("mức độ xác thực"), max_length=10, blank=True)
    linked_at = models.DateTimeField(_("liên kết lúc"), default=timezone.now)
    last_sign_in_at = models.DateTimeField(_("đăng nhập gần nhất"), null=True, blank=True)

    class Meta:
        verbose_name = _("tài khoản định danh liên kết")
        verbose_name_plural = _("tài khoản định danh liên kết")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="external_identity_subject_unique"
            ),
            models.UniqueConstraint(
                fields=["provider", "user"], name="external_identity_user_unique"
            ),
        ]

    def __str__(self):
        return f"{self.provider}:{self.subject} → {self.user_id}"


class Grant(models.Model):
    """What an organisation membership and an authorisation share: the person they are given
    to, identified by their personal ID number and bound to an account (decision 0076), and
    the days they hold (both ends included, in local dates)."""

    citizen_id = models.CharField(_("số định danh cá nhân"), max_length=12)
    full_name = models.CharField(_("họ và tên"), max_length=200)
    # The account it is bound to: the one whose identity an identity provider vouched for
    # with this ID number, or the one that accepted the invitation sent to `invited_email`.
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    invited_email = models.EmailField(_("thư điện tử mời"), blank=True)
    accepted_at = models.DateTimeField(_("nhận lời lúc"), null=True, blank=True)
    valid_from = models.DateField(_("hiệu lực từ ngày"))
    valid_until = models.DateField(_("hiệu lực đến ngày"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(_("chấm dứt lúc"), null=True, blank=True)
    ended_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def is_ended(self) -> bool:
        return self.ended_at is not None

    def holds_on(self, day) -> bool:
        """In force that day (not ended, between its dates)."""
        return (
            self.ended_at is None
            and self.valid_from <= day
            and (self.valid_until is None or day <= self.valid_until)
        )


class OrganisationMember(Grant):
    """A person of an organisation's staff (thành viên tổ chức), with what they may do for it."""

    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("Quản trị")
        APPLICANT = "applicant", _("Nộp hồ sơ")
        FOLLOWER = "follower", _("Theo dõi")

    organisation = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="members", verbose_name=_("tổ chức")
    )
    role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("thành viên tổ chức")
        verbose_name_plural = _("thành viên tổ chức")
        ordering = ["organisation_id", "full_name", "id"]
        constraints = [
            # One membership in force per person and organisation; ended ones stay as history.
            models.UniqueConstraint(
                fields=["organisation", "citizen_id"],
                condition=models.Q(ended_at__isnull=True),
                name="org_member_unique_open",
            )
        ]
        indexes = [models.Index(fields=["citizen_id"], name="org_member_citizen_id")]

    def __str__(self):
        return f"{self.full_name} · {self.organisation_id} · {self.role}"


def authorisation_path(instance, filename):
    return f"authorisations/{timezone.now():%Y/%m}/{filename}"


class Authorisation(Grant):
    """A letter of authorisation (giấy ủy quyền): the principal lets the agent apply and
    follow dossiers for them, for all procedures or some, until an end date."""

    number = models.CharField(_("số giấy ủy quyền"), max_length=40, blank=True)
    principal = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="authorisations_given"
    )
    all_procedures = models.BooleanField(_("mọi thủ tục"), default=True)
    procedure_codes = models.JSONField(_("mã thủ tục"), default=list, blank=True)
    document = models.FileField(upload_to=authorisation_path, max_length=200, blank=True)
    document_name = models.CharField(max_length=200, blank=True)
    document_type = models.CharField(max_length=100, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("giấy ủy quyền")
        verbose_name_plural = _("giấy ủy quyền")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["citizen_id"], name="authorisation_citizen_id")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=False),
                name="authorisation_has_end_date",
            )
        ]

    def __str__(self):
        return f"{self.display_number} · {self.principal_id} → {self.citizen_id}"

    @property
    def display_number(self) -> str:
        return self.number or f"UQ-{self.pk:06d}"

    def covers(self, procedure_code: str | None) -> bool:
        """Whether the scope takes this procedure (None: any of its procedures)."""
        return (
            self.all_procedures or procedure_code is None or procedure_code in self.procedure_codes
        )
