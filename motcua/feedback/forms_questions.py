"""Forms of the questions on procedures: the public's question, the officer's answer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.accounts.forms import AccessibleFormMixin
from motcua.feedback.questions import ANSWER_MAX, REASON_MAX, TEXT_MAX, TEXT_MIN


class QuestionForm(AccessibleFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Câu hỏi của quý vị"),
        min_length=TEXT_MIN,
        max_length=TEXT_MAX,
        help_text=_(
            "Từ 10 đến 2000 ký tự. Không ghi số định danh, số điện thoại hay thông tin cá nhân: "
            "câu hỏi và câu trả lời sẽ được công khai."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Nhập câu hỏi."),
            "min_length": _("Câu hỏi cần ít nhất 10 ký tự."),
            "max_length": _("Câu hỏi dài quá 2000 ký tự."),
        },
    )
    name = forms.CharField(
        label=_("Họ và tên"),
        max_length=120,
        error_messages={"required": _("Nhập họ và tên.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử để nhận câu trả lời (không bắt buộc)"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("Nhập địa chỉ thư điện tử dạng ten@vidu.vn.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        kwargs.setdefault("auto_id", "question-%s")
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated:
            # The account says who asks and where to tell them.
            del self.fields["name"]
            del self.fields["email"]


class AnswerForm(AccessibleFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Xử lý câu hỏi"),
        choices=[
            ("answer", _("Trả lời và công khai")),
            ("reject", _("Không công khai (nêu lý do)")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn cách xử lý câu hỏi.")},
    )
    answer = forms.CharField(
        label=_("Câu trả lời"),
        required=False,
        max_length=ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    reason = forms.CharField(
        label=_("Lý do không công khai"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "answer-%s")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "answer" and not data.get("answer", "").strip():
            self.add_error("answer", _("Nhập câu trả lời."))
        if data.get("decision") == "reject" and not data.get("reason", "").strip():
            self.add_error("reason", _("Nhập lý do không công khai câu hỏi."))
        return data
