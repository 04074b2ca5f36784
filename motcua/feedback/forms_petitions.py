"""Forms of the petition pages: they parse and validate; petitions.py does the writing."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from motcua.accounts.forms import AccessibleFormMixin
from motcua.accounts.validators import normalise_phone, validate_phone
from motcua.catalogue.models import Agency
from motcua.catalogue.selectors import procedure_in_force, procedures_in_force
from motcua.feedback import petitions
from motcua.feedback.models import Petition


class PetitionForm(AccessibleFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Quý vị muốn gửi"),
        choices=Petition.Kind.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Phản ánh: báo về một việc làm, hành vi hoặc quy định chưa đúng. "
            "Kiến nghị: đề xuất sửa đổi, cải tiến."
        ),
    )
    about = forms.ChoiceField(
        label=_("Nội dung liên quan đến"), choices=Petition.About.choices, widget=forms.RadioSelect
    )
    procedure = forms.ChoiceField(
        label=_("Thủ tục hành chính"),
        required=False,
        help_text=_("Chọn khi phản ánh, kiến nghị về một thủ tục."),
    )
    agency = forms.ChoiceField(
        label=_("Cơ quan"),
        required=False,
        help_text=_("Chọn khi phản ánh, kiến nghị về một cơ quan."),
    )
    dossier_code = forms.CharField(
        label=_("Mã hồ sơ"),
        required=False,
        max_length=48,
        help_text=_("Nhập khi phản ánh, kiến nghị về một hồ sơ. Ví dụ: 000.00.18.H56-261123-0001"),
    )
    title = forms.CharField(label=_("Tiêu đề"), max_length=petitions.TITLE_MAX)
    content = forms.CharField(
        label=_("Nội dung"),
        max_length=petitions.CONTENT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Trình bày sự việc, thời gian, địa điểm; tối đa 5.000 ký tự."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        seen, choices = set(), [("", _("— Chọn thủ tục —"))]
        for code, name in procedures_in_force().order_by("name").values_list("code", "name"):
            if code not in seen:
                seen.add(code)
                choices.append((code, f"{name} ({code})"))
        self.fields["procedure"].choices = choices
        self.fields["agency"].choices = [("", _("— Chọn cơ quan —"))] + [
            (str(pk), name)
            for pk, name in Agency.objects.filter(is_active=True).values_list("pk", "name")
        ]
        self.subject: petitions.Subject | None = None

    def clean(self):
        data = super().clean()
        about = data.get("about")
        if about == Petition.About.PROCEDURE:
            procedure = procedure_in_force(data.get("procedure") or "")
            if procedure is None:
                self.add_error("procedure", _("Chọn thủ tục hành chính."))
            else:
                self.subject = petitions.Subject(
                    about=about, agency=procedure.receiving_agency, procedure=procedure
                )
        elif about == Petition.About.AGENCY:
            agency = Agency.objects.filter(is_active=True, pk=data.get("agency") or 0).first()
            if agency is None:
                self.add_error("agency", _("Chọn cơ quan."))
            else:
                self.subject = petitions.Subject(about=about, agency=agency)
        elif about == Petition.About.DOSSIER:
            code = (data.get("dossier_code") or "").strip().upper()
            dossier = petitions.dossier_of_applicant(self.user, code) if code else None
            agency = dossier.receiving_agency if dossier else petitions.agency_of_dossier_code(code)
            if agency is None:
                self.add_error(
                    "dossier_code",
                    _("Nhập mã hồ sơ đúng dạng, ví dụ 000.00.18.H56-261123-0001."),
                )
            else:
                self.subject = petitions.Subject(
                    about=about, agency=agency, dossier=dossier, dossier_code=code
                )
        return data


class ContactForm(AccessibleFormMixin, forms.Form):
    """Who files without an account, and where the code goes."""

    name = forms.CharField(label=_("Họ và tên"), max_length=200)
    channel = forms.ChoiceField(
        label=_("Nhận mã xác thực và thông báo qua"),
        choices=[("email", _("Thư điện tử")), ("sms", _("Tin nhắn đến số điện thoại"))],
        widget=forms.RadioSelect,
    )
    email = forms.EmailField(label=_("Địa chỉ thư điện tử"), required=False, max_length=254)
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        required=False,
        max_length=20,
        help_text=_("Ví dụ: 0912345678"),
    )

    def clean(self):
        data = super().clean()
        channel = data.get("channel")
        if channel == "email" and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Nhập địa chỉ thư điện tử để nhận mã xác thực."))
        if channel == "sms":
            phone = data.get("phone") or ""
            if not phone:
                self.add_error("phone", _("Nhập số điện thoại để nhận mã xác thực."))
            else:
                try:
                    validate_phone(phone)
                except ValidationError as error:
                    self.add_error("phone", error)
                else:
                    data["phone"] = normalise_phone(phone)
        return data

    @property
    def address(self) -> str:
        data = self.cleaned_data
        return data["email"].strip().lower() if data["channel"] == "email" else data["phone"]


class CodeForm(AccessibleFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực"),
        max_length=12,
        help_text=_("Mã gồm 6 chữ số."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class TrackForm(AccessibleFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Mã phản ánh, kiến nghị"),
        max_length=64,
        help_text=_("Ví dụ: PAKN-000.00.18.H56-261207-0001"),
    )
    contact = forms.CharField(
        label=_("Thư điện tử hoặc số điện thoại đã dùng khi gửi"), max_length=254
    )


class InfoForm(AccessibleFormMixin, forms.Form):
    info = forms.CharField(
        label=_("Thông tin bổ sung"),
        max_length=petitions.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class NoteForm(AccessibleFormMixin, forms.Form):
    """The officer's text for reject, request info, answer, close."""

    text = forms.CharField(max_length=petitions.NOTE_MAX, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, label="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label


class PublishForm(AccessibleFormMixin, forms.Form):
    title = forms.CharField(label=_("Tiêu đề công khai"), max_length=petitions.TITLE_MAX)
    question = forms.CharField(
        label=_("Nội dung phản ánh, kiến nghị (đã ẩn thông tin cá nhân)"),
        max_length=petitions.CONTENT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    answer = forms.CharField(
        label=_("Nội dung trả lời (đã ẩn thông tin cá nhân)"),
        max_length=petitions.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
