"""The export page's own form: the file's format (the filter is the ReportFilter's)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.accounts.forms import AccessibleFormMixin
from motcua.reports.models import Export


class ExportForm(AccessibleFormMixin, forms.Form):
    format = forms.ChoiceField(
        label=_("Định dạng tệp"),
        choices=Export.Format.choices,
        initial=Export.Format.XLSX,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Hãy chọn định dạng tệp."),
            "invalid_choice": _("Hãy chọn XLSX hoặc CSV."),
        },
    )
