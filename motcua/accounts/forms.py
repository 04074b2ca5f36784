"""Forms of the account pages: they parse and validate; services.py does the writing."""

from datetime import date

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.accounts import services, two_factor
from motcua.accounts.models import User
from motcua.accounts.validators import (
    normalise_phone,
    validate_citizen_id,
    validate_phone,
    validate_tax_code,
)

DATE_FORMAT = "%d/%m/%Y"


class AccessibleFormMixin:
    """Bootstrap classes, `is-invalid` on fields with errors, and links for the error summary.

    Django itself adds aria-invalid and aria-describedby="<id>_helptext <id>_error".
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            elif isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs for the error summary, in the order of the fields."""
        links = [("", str(message)) for message in self.non_field_errors()]
        for bound in self:
            if not bound.errors:
                continue
            anchor = bound.auto_id
            if isinstance(bound.field.widget, forms.RadioSelect):
                anchor = f"{anchor}_0"
            # "Họ và tên: Trường này là bắt buộc.": the summary names the field it links to.
            label = str(bound.label).rstrip(" :")
            links.extend(
                (anchor, _("%(label)s: %(message)s") % {"label": label, "message": message})
                for message in bound.errors
            )
        return links


def _text(label, *, max_length, autocomplete=None, required=True, help_text="", **attrs):
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs),
    )


def _phone_field(*, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=_("Số điện thoại di động"),
        required=required,
        max_length=20,
        help_text=_("Ví dụ 0912345678."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )


def _clean_phone(value: str, *, exclude: User | None = None, check_taken: bool = True) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    validate_phone(value)
    phone = normalise_phone(value)
    if not check_taken:
        return phone
    others = User.objects.filter(phone=phone)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise ValidationError(_("Số điện thoại này đã được đăng ký."), code="phone_taken")
    return phone


def _clean_tax_code(value: str) -> str:
    value = (value or "").strip()
    if value:
        validate_tax_code(value)
    return value


class RegistrationForm(AccessibleFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Quý vị đăng ký với tư cách"),
        choices=[
            (User.Kind.CITIZEN, _("Công dân")),
            (User.Kind.ORGANISATION, _("Tổ chức, doanh nghiệp")),
        ],
        initial=User.Kind.CITIZEN,
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn công dân hoặc tổ chức, doanh nghiệp.")},
    )
    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=200,
        help_text=_("Với tổ chức: họ và tên người đăng ký tài khoản."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Nhập họ và tên.")},
    )
    email = forms.EmailField(
        label=_("Thư điện tử (e-mail)"),
        max_length=254,
        help_text=_("Chúng tôi gửi mã xác thực đến địa chỉ này."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Nhập địa chỉ thư điện tử."),
            "invalid": _("Nhập địa chỉ thư điện tử đúng dạng, ví dụ ten@example.vn."),
        },
    )
    phone = _phone_field()
    organisation_name = _text(
        _("Tên tổ chức, doanh nghiệp"),
        max_length=300,
        autocomplete="organization",
        required=False,
    )
    tax_code = _text(
        _("Mã số thuế"),
        max_length=14,
        required=False,
        help_text=_("10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số với chi nhánh."),
        inputmode="numeric",
    )
    representative = _text(_("Người đại diện theo pháp luật"), max_length=200, required=False)
    password1 = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        help_text=_("Ít nhất 8 ký tự, không chỉ gồm chữ số, không quá giống thông tin cá nhân."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Nhập mật khẩu.")},
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Nhập lại mật khẩu.")},
    )

    ORGANISATION_FIELDS = {
        "organisation_name": _("Nhập tên tổ chức, doanh nghiệp."),
        "tax_code": _("Nhập mã số thuế của tổ chức, doanh nghiệp."),
        "representative": _("Nhập họ và tên người đại diện theo pháp luật."),
    }

    # Whether the address or phone number has an account is never said here, valid form
    # or not: services.register_applicant tells the owner instead (decision 26).
    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"].strip())

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data.get("phone", ""), check_taken=False)

    def clean_tax_code(self) -> str:
        return _clean_tax_code(self.cleaned_data.get("tax_code", ""))

    def clean(self):
        data = super().clean()
        if data.get("kind") == User.Kind.ORGANISATION:
            for name, message in self.ORGANISATION_FIELDS.items():
                if name not in self.errors and not data.get(name):
                    self.add_error(name, ValidationError(message, code="required"))
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("Hai mật khẩu không khớp nhau."))
        elif password1:
            candidate = User(
                email=data.get("email") or "",
                full_name=data.get("full_name") or "",
                phone=data.get("phone") or None,
            )
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class LoginForm(AccessibleFormMixin, forms.Form):
    login = forms.CharField(
        label=_("E-mail hoặc số điện thoại"),
        max_length=254,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
        error_messages={"required": _("Nhập thư điện tử hoặc số điện thoại.")},
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Nhập mật khẩu.")},
    )


class VerificationForm(AccessibleFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực"),
        max_length=12,
        help_text=_("Mã gồm 6 chữ số trong thư chúng tôi vừa gửi."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
        error_messages={"required": _("Nhập mã xác thực gồm 6 chữ số.")},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == 6 and code.isdigit()):
            raise ValidationError(_("Mã xác thực gồm đúng 6 chữ số."), code="format")
        return code


def verified_identity_note(user: User) -> str:
    """ "Đã xác thực qua VNeID (mức 2)": who vouched for the account's identity, at what level."""
    provider = {"vneid": "VNeID"}.get(user.identity_provider, user.identity_provider)
    if user.identity_assurance:
        return _("Đã xác thực qua %(provider)s (mức %(level)s)") % {
            "provider": provider,
            "level": user.identity_assurance,
        }
    return _("Đã xác thực qua %(provider)s") % {"provider": provider}


class ProfileForm(AccessibleFormMixin, forms.Form):
    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Nhập họ và tên.")},
    )
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"),
        required=False,
        input_formats=[DATE_FORMAT],
        help_text=_("Theo dạng ngày/tháng/năm, ví dụ 25/08/1990."),
        widget=forms.DateInput(
            format=DATE_FORMAT, attrs={"autocomplete": "bday", "placeholder": "dd/mm/yyyy"}
        ),
        error_messages={"invalid": _("Nhập ngày sinh theo dạng ngày/tháng/năm, ví dụ 25/08/1990.")},
    )
    citizen_id = _text(
        _("Số định danh cá nhân (số căn cước)"),
        max_length=12,
        required=False,
        help_text=_("12 chữ số, in trên thẻ căn cước."),
        inputmode="numeric",
        autocomplete="off",
    )
    address = _text(
        _("Địa chỉ liên hệ"), max_length=300, required=False, autocomplete="street-address"
    )
    phone = _phone_field()
    organisation_name = RegistrationForm.base_fields["organisation_name"]
    tax_code = RegistrationForm.base_fields["tax_code"]
    representative = RegistrationForm.base_fields["representative"]

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        kwargs.setdefault(
            "initial", {name: getattr(user, name) for name in services.PROFILE_FIELDS}
        )
        super().__init__(*args, **kwargs)
        if user.has_verified_identity:
            # Vouched for by VNeID (decision 0073): shown, never taken from the post.
            note = verified_identity_note(user)
            for name in services.IDENTITY_LOCKED_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = note
        if user.kind == User.Kind.ORGANISATION:
            for name in RegistrationForm.ORGANISATION_FIELDS:
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = RegistrationForm.ORGANISATION_FIELDS[
                    name
                ]
        else:
            for name in RegistrationForm.ORGANISATION_FIELDS:
                del self.fields[name]

    def clean_date_of_birth(self):
        born = self.cleaned_data.get("date_of_birth")
        if born and not date(1900, 1, 1) <= born <= timezone.localdate():
            raise ValidationError(_("Ngày sinh phải từ 01/01/1900 đến hôm nay."))
        return born

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data.get("phone", ""), exclude=self.user)

    def clean_tax_code(self) -> str:
        return _clean_tax_code(self.cleaned_data.get("tax_code", ""))

    def clean(self):
        data = super().clean()
        citizen_id = (data.get("citizen_id") or "").strip()
        if citizen_id and "date_of_birth" not in self.errors:
            try:
                validate_citizen_id(citizen_id, data.get("date_of_birth"))
            except ValidationError as exc:
                self.add_error("citizen_id", exc)
        return data


class PasswordResetForm(AccessibleFormMixin, auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label=_("Thư điện tử đã đăng ký"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Nhập địa chỉ thư điện tử."),
            "invalid": _("Nhập địa chỉ thư điện tử đúng dạng, ví dụ ten@example.vn."),
        },
    )

    def get_users(self, email):
        """Active accounts with this address in any case (User.email is case-insensitive)."""
        return (
            user
            for user in User.objects.filter(email__iexact=email.strip(), is_active=True)
            if user.has_usable_password()
        )

    def save(self, *, request=None, **kwargs):
        """Have the link mailed to each account of the address after commit (Django's own
        save sends it inside the request)."""
        for user in self.get_users(self.cleaned_data["email"]):
            services.request_password_reset(user=user, request=request)


class _PasswordSavingMixin:
    """Save through services.set_password so the change is audited."""

    request = None
    via_reset = False

    def save(self, commit=True):
        services.set_password(
            user=self.user,
            password=self.cleaned_data["new_password1"],
            request=self.request,
            reset=self.via_reset,
        )
        return self.user


def _relabel_password_fields(form) -> None:
    form.fields["new_password1"].label = _("Mật khẩu mới")
    form.fields["new_password1"].help_text = RegistrationForm.base_fields["password1"].help_text
    form.fields["new_password2"].label = _("Nhập lại mật khẩu mới")


class SetPasswordForm(_PasswordSavingMixin, AccessibleFormMixin, auth_forms.SetPasswordForm):
    via_reset = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _relabel_password_fields(self)


class PasswordChangeForm(_PasswordSavingMixin, AccessibleFormMixin, auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Mật khẩu hiện tại")
        _relabel_password_fields(self)


class TOTPCodeForm(VerificationForm):
    """The six-digit code an authenticator app shows (xác thực hai lớp)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _(
            "Mã gồm 6 chữ số đang hiển thị trong ứng dụng xác thực trên điện thoại của quý vị."
        )


class RecoveryCodeForm(AccessibleFormMixin, forms.Form):
    recovery_code = forms.CharField(
        label=_("Mã khôi phục"),
        max_length=20,
        help_text=_(
            "Một trong các mã quý vị đã lưu khi bật xác thực hai lớp, ví dụ abcd-efgh. "
            "Mỗi mã chỉ dùng được một lần."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
        error_messages={"required": _("Nhập một mã khôi phục.")},
    )

    def clean_recovery_code(self) -> str:
        code = two_factor.normalise_recovery_code(self.cleaned_data["recovery_code"])
        if len(code) != 8:
            raise ValidationError(
                _("Mã khôi phục gồm 8 chữ cái và chữ số, ví dụ abcd-efgh."), code="format"
            )
        return code
