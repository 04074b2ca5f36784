"""Forms of the officer workspace: they parse and validate; machine.py and services.py write.

The action form is the one place an officer's input is parsed: it hands the state machine
the action's input dataclass (workflow/actions/inputs.py)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from motcua.accounts.forms import AccessibleFormMixin
from motcua.accounts.validators import (
    normalise_phone,
    validate_citizen_id,
    validate_phone,
    validate_tax_code,
)
from motcua.core.money import format_vnd
from motcua.core.uploads import check_upload
from motcua.dossiers.models import Dossier, Status
from motcua.payments.charges import quote_for_dossier
from motcua.workflow.actions import processing
from motcua.workflow.actions.inputs import ActionInput, SupplementItem
from motcua.workflow.fragments import escaped

OTHER_ITEM = "other"
SORT_ORDERS = ("due", "-due", "submitted", "-submitted")


class ErrorLinksMixin(AccessibleFormMixin):
    """The accounts forms' Bootstrap classes and error links, with an anchor for form errors."""

    form_anchor = "action-form"

    def error_list(self) -> list[tuple[str, str]]:
        return [(anchor or self.form_anchor, message) for anchor, message in self.error_links()]


# --- Inbox filters ---------------------------------------------------------------------


class PlainSelect(forms.Select):
    """A <select> written in Python: the template-per-option rendering of Django's widget
    cost the busiest officer page several milliseconds for its three filter lists."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        attributes = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        options = "".join(
            f'<option value="{escaped(key)}"{" selected" if str(key) in chosen else ""}>'
            f"{escaped(label)}</option>"
            for key, label in self.choices
        )
        return mark_safe(f"<select{flatatt(attributes)}>{options}</select>")  # noqa: S308 - escaped


class PlainTextarea(forms.Textarea):
    """A <textarea> written in Python, with the markup of Django's template: the dossier page
    shows one per open task and one for comments, and the form renderer's templates cost
    more than the rest of the field (decision 17)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        # django/forms/widgets/attrs.html: in order, False left out, True as a bare name.
        attributes = "".join(
            f" {escaped(key)}" if item is True else f' {escaped(key)}="{escaped(item)}"'
            for key, item in widget["attrs"].items()
            if item is not False
        )
        text = escaped(widget["value"]) if widget["value"] else ""
        return mark_safe(f'<textarea name="{escaped(name)}"{attributes}>\n{text}</textarea>')  # noqa: S308 - escaped


class InboxFilterForm(forms.Form):
    """The inbox's query string: never an error, unknown values are ignored."""

    procedure = forms.TypedChoiceField(
        label=_("Thủ tục"), required=False, coerce=int, widget=PlainSelect
    )
    status = forms.TypedChoiceField(
        label=_("Trạng thái"),
        required=False,
        coerce=int,
        widget=PlainSelect,
        choices=[("", _("Tất cả trạng thái"))]
        + [(value, label) for value, label in Status.choices if value != Status.DRAFT],
    )
    order = forms.ChoiceField(
        label=_("Sắp xếp"),
        required=False,
        widget=PlainSelect,
        choices=[
            ("due", _("Hạn xử lý: gần nhất trước")),
            ("-due", _("Hạn xử lý: xa nhất trước")),
            ("submitted", _("Ngày nộp: cũ nhất trước")),
            ("-submitted", _("Ngày nộp: mới nhất trước")),
        ],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)
    q = forms.CharField(label=_("Tìm hồ sơ"), required=False, max_length=100)

    def __init__(self, *args, procedures=(), **kwargs):
        """`procedures`: (id, code, name) of each procedure the officer may filter by."""
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", _("Tất cả thủ tục"))] + [
            (pk, f"{code} · {name}") for pk, code, name in procedures
        ]
        for name in ("procedure", "status", "order"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["q"].widget.attrs.update(
            {"class": "form-control", "type": "search", "autocomplete": "off"}
        )

    def value(self, name, default=None):
        """The cleaned value, or `default` when it is missing or not valid."""
        if not self.is_bound:
            return default
        self.is_valid()
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value


# --- Actions on a dossier ----------------------------------------------------------------


class ActionFormBase(ErrorLinksMixin, forms.Form):
    """Asks for exactly what the action's `needs` say; built by `action_form`."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    act = None
    components: list = []
    unit_groups_: list = []

    def clean_amount(self):
        raw = str(self.cleaned_data.get("amount") or "")
        digits = "".join(ch for ch in raw if ch not in " .,_đ₫")
        if not digits.isdigit() or int(digits) <= 0:
            raise ValidationError(
                _("Nhập số tiền phải nộp bằng chữ số, lớn hơn 0, ví dụ 150.000."), code="amount"
            )
        return int(digits)

    def clean(self):
        data = super().clean()
        if "items" in self.fields:
            chosen = data.get("items") or []
            if not chosen:
                self.add_error("items", _("Chọn ít nhất một giấy tờ cần bổ sung."))
            for value in chosen:
                if not (self.cleaned_data.get(f"reason_{value}") or "").strip():
                    self.add_error(f"reason_{value}", _("Nêu lý do cần bổ sung giấy tờ này."))
            if OTHER_ITEM in chosen and not (data.get("other_name") or "").strip():
                self.add_error("other_name", _("Nhập tên giấy tờ khác cần bổ sung."))
        return data

    def supplement_rows(self):
        """(checkbox value, label, checked, reason field) for each component and "other"."""
        chosen = set(self["items"].value() or [])
        rows = [
            (str(c.pk), c.name, str(c.pk) in chosen, self[f"reason_{c.pk}"])
            for c in self.components
        ]
        rows.append(
            (OTHER_ITEM, _("Giấy tờ khác"), OTHER_ITEM in chosen, self[f"reason_{OTHER_ITEM}"])
        )
        return rows

    def unit_groups(self):
        """[(agency name, [(value, label, checked, input id)])] for the unit checkboxes."""
        chosen = {str(v) for v in (self["unit_ids"].value() or [])}
        return [
            (
                agency,
                [(str(pk), name, str(pk) in chosen, f"unit-{pk}") for pk, name in units],
            )
            for agency, units in self.unit_groups_
        ]

    def to_input(self) -> ActionInput | None:
        """The action's input dataclass, for machine.perform."""
        if self.act.input is None:
            return None
        data = self.cleaned_data
        values = {}
        for name in self.act.needs:
            if name == "items":
                names = {str(c.pk): c.name for c in self.components}
                names[OTHER_ITEM] = (data.get("other_name") or "").strip()
                values[name] = tuple(
                    SupplementItem(component=names[v], reason=data.get(f"reason_{v}", "").strip())
                    for v in data.get("items") or []
                )
            elif name == "unit_ids":
                values[name] = tuple(int(v) for v in data.get("unit_ids") or [])
            elif name in ("reason", "note", "request"):
                values[name] = data.get(name) or ""
            else:
                values[name] = data.get(name)
        return self.act.input(**values)


def _textarea(label, *, required, help_text="", rows=3):
    return forms.CharField(
        label=label,
        required=required,
        max_length=2000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": _("Nhập %(label)s.") % {"label": str(label).lower()}},
    )


def _amount_field(dossier):
    """The amount to pay, prefilled from the procedure's fee schedule (the officer may adjust)."""
    quote = quote_for_dossier(dossier)
    shown = format_vnd(quote.amount) if quote.amount else ""
    help_text = (
        _("Theo biểu phí của thủ tục: %(amount)s đồng.") % {"amount": shown}
        if quote.amount
        else _("Biểu phí của thủ tục không cho ra số tiền; nhập số tiền, ví dụ 150.000.")
    )
    return forms.CharField(
        label=_("Số tiền phải nộp (đồng)"),
        max_length=20,
        initial=shown,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Nhập số tiền phải nộp.")},
    )


def action_form(act, dossier, *, components=(), unit_groups=(), data=None):
    """The form for action `act` on `dossier`, with one field per entry of `act.needs`."""
    fields = {}
    needs = act.needs
    if "reason" in needs:
        fields["reason"] = _textarea(
            act.reason_label or _("Lý do"),
            required=True,
            rows=4,
            # A reason kept with the officers (send_back) is not shown to the applicant.
            help_text=""
            if act.internal_note
            else _("Người nộp hồ sơ sẽ đọc lý do này; viết rõ ràng, cụ thể."),
        )
    if "items" in needs:
        choices = [(str(c.pk), c.name) for c in components] + [(OTHER_ITEM, _("Giấy tờ khác"))]
        fields["items"] = forms.MultipleChoiceField(
            label=_("Giấy tờ cần bổ sung, hoàn thiện"),
            choices=choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        for value, label in choices:
            fields[f"reason_{value}"] = forms.CharField(
                label=_("Lý do bổ sung: %(name)s") % {"name": label},
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        fields["other_name"] = forms.CharField(
            label=_("Tên giấy tờ khác"), required=False, max_length=300
        )
    if "new_due_date" in needs:
        current = timezone.localtime(dossier.due_at).date() if dossier.due_at else None
        latest = processing.latest_new_due_date(dossier) if dossier.due_at else None
        fields["new_due_date"] = forms.DateField(
            label=_("Ngày hẹn trả mới"),
            help_text=_(
                "Ngày hẹn hiện tại: %(date)s. Ngày mới phải là ngày làm việc, sau ngày này "
                "và chậm nhất là %(latest)s."
            )
            % {
                "date": current.strftime("%d/%m/%Y") if current else "—",
                "latest": latest.strftime("%d/%m/%Y") if latest else "—",
            },
            input_formats=["%Y-%m-%d", "%d/%m/%Y"],
            widget=forms.DateInput(
                format="%Y-%m-%d",
                attrs={
                    "type": "date",
                    "min": current.isoformat() if current else "",
                    "max": latest.isoformat() if latest else "",
                },
            ),
            error_messages={
                "required": _("Nhập ngày hẹn trả mới."),
                "invalid": _("Nhập ngày hẹn trả mới theo dạng ngày/tháng/năm."),
            },
        )
    if "amount" in needs:
        fields["amount"] = _amount_field(dossier)
    if "unit_ids" in needs:
        fields["unit_ids"] = forms.MultipleChoiceField(
            label=_("Cơ quan nhận liên thông")
            if act.name == "transfer"
            else _("Đơn vị được xin ý kiến"),
            choices=[(str(pk), name) for _agency, units in unit_groups for pk, name in units],
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "required": _("Chọn ít nhất một cơ quan, đơn vị nhận."),
                "invalid_choice": _("Chọn cơ quan, đơn vị trong danh sách."),
            },
        )
    if "days" in needs:
        fields["days"] = forms.DecimalField(
            label=_("Thời hạn trả lời (ngày làm việc)"),
            min_value=Decimal("0.25"),
            max_value=Decimal(365),
            decimal_places=2,
            localize=True,
            help_text=_("Ví dụ 2 hoặc 0,5 (nửa ngày)."),
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            error_messages={
                "required": _("Nhập số ngày làm việc để trả lời."),
                "invalid": _("Nhập số ngày bằng chữ số, ví dụ 2 hoặc 0,5."),
                "min_value": _("Thời hạn trả lời ít nhất 0,25 ngày làm việc."),
                "max_value": _("Thời hạn trả lời tối đa 365 ngày làm việc."),
            },
        )
    if "request" in needs:
        fields["request"] = _textarea(_("Nội dung đề nghị"), required=True, rows=4)
    if "note" in needs:
        fields["note"] = _textarea(
            _("Ghi chú"),
            required=False,
            help_text=_("Chỉ cán bộ xem được.")
            if act.internal_note
            else _("Người nộp hồ sơ sẽ thấy ghi chú này."),
        )
    form_class = type(
        "ActionForm",
        (ActionFormBase,),
        {
            **fields,
            "act": act,
            "components": list(components),
            "unit_groups_": list(unit_groups),
        },
    )
    return form_class(data=data, initial={"expected_version": dossier.version})


# --- Comments and tasks ------------------------------------------------------------------


class CommentForm(ErrorLinksMixin, forms.Form):
    form_anchor = "comment-form"
    text = forms.CharField(
        label=_("Ý kiến nội bộ"),
        max_length=5000,
        help_text=_("Chỉ cán bộ xem được; người nộp hồ sơ không thấy."),
        widget=PlainTextarea(attrs={"rows": 3}),
        error_messages={"required": _("Nhập nội dung ý kiến.")},
    )


class TaskAnswerForm(ErrorLinksMixin, forms.Form):
    answer = forms.CharField(
        label=_("Nội dung trả lời"),
        max_length=5000,
        widget=PlainTextarea(attrs={"rows": 3}),
        error_messages={"required": _("Nhập nội dung trả lời.")},
    )

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, prefix=f"task-{task.pk}", **kwargs)
        self.form_anchor = f"task-{task.pk}-answer"


# --- Counter intake (tiếp nhận hồ sơ giấy) ------------------------------------------------


class ProcedureChoiceForm(ErrorLinksMixin, forms.Form):
    form_anchor = "id_procedure"
    procedure = forms.ModelChoiceField(
        label=_("Thủ tục"),
        queryset=None,
        empty_label=_("— Chọn thủ tục —"),
        error_messages={
            "required": _("Chọn thủ tục của hồ sơ."),
            "invalid_choice": _("Chọn thủ tục trong danh sách."),
        },
    )

    def __init__(self, *args, procedures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = procedures
        self.fields["procedure"].label_from_instance = lambda p: f"{p.code} · {p.name}"


class IntakeForm(ErrorLinksMixin, forms.Form):
    """A paper dossier brought to the desk or received by post."""

    form_anchor = "intake-form"
    channel = forms.ChoiceField(
        label=_("Hình thức nộp"),
        choices=[
            (Dossier.Channel.COUNTER, _("Trực tiếp tại Bộ phận Một cửa")),
            (Dossier.Channel.POST, _("Qua dịch vụ bưu chính")),
        ],
        initial=Dossier.Channel.COUNTER,
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn hình thức nộp hồ sơ.")},
    )
    full_name = forms.CharField(
        label=_("Họ và tên người nộp"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Nhập họ và tên người nộp.")},
    )
    citizen_id = forms.CharField(
        label=_("Số định danh cá nhân (CCCD)"),
        max_length=12,
        help_text=_("12 chữ số."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Nhập số định danh cá nhân của người nộp.")},
    )
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        help_text=_("Để gửi tin nhắn về tiến độ và tra cứu hồ sơ. Ví dụ 0912345678."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
        error_messages={"required": _("Nhập số điện thoại của người nộp.")},
    )
    email = forms.EmailField(
        label=_("Thư điện tử (e-mail)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"invalid": _("Nhập địa chỉ thư điện tử đúng dạng, ví dụ ten@example.vn.")},
    )
    address = forms.CharField(
        label=_("Địa chỉ"),
        required=False,
        max_length=300,
        help_text=_("Bắt buộc khi trả kết quả qua bưu chính."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    organisation_name = forms.CharField(
        label=_("Tên tổ chức, doanh nghiệp"),
        required=False,
        max_length=300,
        help_text=_("Chỉ điền khi người nộp nộp thay cho tổ chức, doanh nghiệp."),
    )
    tax_code = forms.CharField(label=_("Mã số thuế"), required=False, max_length=14)
    delivery = forms.ChoiceField(
        label=_("Cách nhận kết quả"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn cách nhận kết quả.")},
    )
    note = forms.CharField(
        label=_("Ghi chú tiếp nhận"),
        required=False,
        max_length=2000,
        help_text=_("Chỉ cán bộ xem được."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, procedure, components, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        self.components = list(components)
        allowed = procedure.delivery_options or [c.value for c in Dossier.Delivery]
        self.fields["delivery"].choices = [
            (value, label) for value, label in Dossier.Delivery.choices if value in allowed
        ]
        if Dossier.Delivery.COUNTER in allowed:
            self.fields["delivery"].initial = Dossier.Delivery.COUNTER
        self.component_errors: dict[int, list[str]] = {}
        self.uploads: dict[int, list] = {}

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_citizen_id(self):
        value = self.cleaned_data["citizen_id"].strip()
        validate_citizen_id(value)
        return value

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        validate_phone(value)
        return normalise_phone(value)

    def clean_tax_code(self):
        value = self.cleaned_data["tax_code"].strip()
        if value:
            validate_tax_code(value)
        return value

    def clean(self):
        data = super().clean()
        if (
            (data.get("organisation_name") or "").strip()
            and not data.get("tax_code")
            and "tax_code" not in self.errors
        ):
            self.add_error("tax_code", _("Nhập mã số thuế của tổ chức, doanh nghiệp."))
        if data.get("delivery") == Dossier.Delivery.POST and len(data.get("address") or "") < 10:
            self.add_error("address", _("Nhập đầy đủ địa chỉ để gửi kết quả qua bưu chính."))
        self._clean_files()
        return data

    def _clean_files(self):
        for component in self.components:
            files = self.files.getlist(f"files-{component.pk}") if self.files else []
            files = [f for f in files if f.name]
            errors = []
            if len(files) > component.max_files:
                errors.append(
                    _("Thành phần “%(c)s” chỉ nhận tối đa %(n)s tệp.")
                    % {"c": component.name, "n": component.max_files}
                )
            for upload in files:
                try:
                    check_upload(upload, component.file_types)
                except ValidationError as exc:
                    errors.extend(exc.messages)
            if errors:
                self.component_errors[component.pk] = errors
            elif files:
                self.uploads[component.pk] = files

    def is_valid(self):
        return super().is_valid() and not self.component_errors

    def error_list(self):
        links = super().error_list()
        links += [
            (f"files-{pk}", message)
            for pk, messages in self.component_errors.items()
            for message in messages
        ]
        return links

    def component_rows(self):
        return [(c, self.component_errors.get(c.pk, [])) for c in self.components]


# --- Workflow editor -----------------------------------------------------------------------


class WorkflowForm(ErrorLinksMixin, forms.Form):
    form_anchor = "id_definition"
    definition = forms.CharField(
        label=_("Định nghĩa quy trình (JSON)"),
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "font-monospace"}),
        error_messages={"required": _("Nhập định nghĩa quy trình.")},
    )
    note = forms.CharField(
        label=_("Ghi chú thay đổi"),
        required=False,
        max_length=300,
        help_text=_("Ví dụ: rút thời gian thẩm định còn 1 ngày theo Quyết định số ..."),
    )
