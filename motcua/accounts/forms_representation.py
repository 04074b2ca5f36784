"""Forms of the members and authorisations pages: they parse; accounts.members writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.accounts.forms import DATE_FORMAT, AccessibleFormMixin
from motcua.accounts.models import OrganisationMember


def _id_field():
    return forms.CharField(
        label=_("Số định danh cá nhân"),
        max_length=12,
        help_text=_("12 chữ số, như trên thẻ căn cước."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


def _until_field(*, required: bool, help_text):
    return forms.DateField(
        label=_("Hiệu lực đến ngày"),
        required=required,
        input_formats=[DATE_FORMAT],
        help_text=help_text,
        widget=forms.DateInput(
            format=DATE_FORMAT, attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "off"}
        ),
    )


def _email_field():
    return forms.EmailField(
        label=_("Thư điện tử để mời (không bắt buộc)"),
        required=False,
        help_text=_(
            "Cho người chưa đăng nhập bằng VNeID: họ nhận lời mời khi đăng nhập bằng tài "
            "khoản có thư điện tử này."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class MemberForm(AccessibleFormMixin, forms.Form):
    citizen_id = _id_field()
    full_name = forms.CharField(label=_("Họ và tên"), max_length=200)
    role = forms.ChoiceField(
        label=_("Vai trò"),
        choices=OrganisationMember.Role.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Quản trị: quản lý thành viên, nộp và theo dõi hồ sơ. Nộp hồ sơ: nộp và theo "
            "dõi. Theo dõi: chỉ xem hồ sơ."
        ),
    )
    valid_until = _until_field(
        required=False, help_text=_("Để trống nếu không hạn. Theo dạng ngày/tháng/năm.")
    )
    invited_email = _email_field()


class MemberChangeForm(AccessibleFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("Vai trò"), choices=OrganisationMember.Role.choices)
    valid_until = _until_field(
        required=False, help_text=_("Để trống nếu không hạn. Theo dạng ngày/tháng/năm.")
    )

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, prefix=f"m{member.pk}", **kwargs)
        self.fields["role"].initial = member.role
        self.fields["valid_until"].initial = member.valid_until


class AuthorisationForm(AccessibleFormMixin, forms.Form):
    citizen_id = _id_field()
    full_name = forms.CharField(label=_("Họ và tên người được ủy quyền"), max_length=200)
    valid_until = _until_field(
        required=True,
        help_text=_("Giấy ủy quyền phải có thời hạn. Theo dạng ngày/tháng/năm, ví dụ 31/12/2026."),
    )
    scope = forms.ChoiceField(
        label=_("Phạm vi ủy quyền"),
        choices=[("all", _("Mọi thủ tục")), ("some", _("Chỉ các thủ tục dưới đây"))],
        initial="all",
        widget=forms.RadioSelect,
    )
    procedure_codes = forms.CharField(
        label=_("Mã thủ tục"),
        required=False,
        max_length=400,
        help_text=_("Khi chỉ ủy quyền một số thủ tục: các mã cách nhau bởi dấu phẩy."),
    )
    number = forms.CharField(label=_("Số giấy ủy quyền (nếu có)"), required=False, max_length=40)
    document = forms.FileField(
        label=_("Bản chụp giấy ủy quyền (không bắt buộc)"),
        required=False,
        help_text=_("PDF, JPEG hoặc PNG."),
    )
    invited_email = _email_field()

    def codes(self) -> list[str]:
        return self.cleaned_data.get("procedure_codes", "").replace(";", ",").split(",")
