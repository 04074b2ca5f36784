"""The one filter of every statistics page and export: a period and a scope, from a query
string (decision 0059). Bad values fall back to the defaults with a message, never a 500."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.accounts.forms import AccessibleFormMixin
from motcua.catalogue.models import Agency, Procedure, Sector
from motcua.dossiers.models import Dossier
from motcua.reports import access
from motcua.reports import indicators as ind

KINDS = (
    ("month", _("Tháng")),
    ("quarter", _("Quý")),
    ("year", _("Năm")),
    ("range", _("Khoảng ngày")),
)


class ReportFilter(AccessibleFormMixin, forms.Form):
    """GET form: kind + year + number (month 1–12 or quarter 1–4), or a range of dates;
    agency (with its sub-agencies; empty = national, for national readers), sector,
    procedure (by code: every version), channel."""

    kind = forms.ChoiceField(label=_("Kỳ báo cáo"), choices=KINDS, required=False)
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100, required=False)
    number = forms.IntegerField(label=_("Tháng / quý"), min_value=1, max_value=12, required=False)
    start = forms.DateField(label=_("Từ ngày"), required=False)
    end = forms.DateField(label=_("Đến ngày"), required=False)
    agency = forms.ModelChoiceField(
        label=_("Cơ quan"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("Toàn quốc"),
    )
    sector = forms.ModelChoiceField(
        label=_("Lĩnh vực"),
        queryset=Sector.objects.order_by("name"),
        required=False,
        empty_label=_("Tất cả lĩnh vực"),
    )
    procedure = forms.ChoiceField(label=_("Thủ tục"), required=False)
    channel = forms.ChoiceField(
        label=_("Kênh nộp"),
        choices=[("", _("Tất cả kênh"))] + list(Dossier.Channel.choices),
        required=False,
    )

    def __init__(self, data=None, *, user=None, public: bool = False, today: date | None = None):
        super().__init__(data or None)
        self.today = today or timezone.localdate()
        self.public = public
        if public:
            agencies = Agency.objects.order_by("name")
        else:
            agencies = access.readable_agencies(user)
            if not access.is_national(user):
                self.fields["agency"].empty_label = None
                self.fields["agency"].required = True
        self.fields["agency"].queryset = agencies
        self.fields["procedure"].choices = [("", _("Tất cả thủ tục"))] + [
            (code, f"{code} – {name}")
            for code, name in Procedure.objects.in_force()
            .order_by("code")
            .values_list("code", "name")
        ]
        # The defaults, also what a bad query string falls back to (`_value`): a manager's
        # own agency, never the whole country.
        self.initial.update(self.defaults(user))

    def defaults(self, user) -> dict:
        agency = None if self.public else access.default_agency_id(user)
        return {
            "kind": "quarter",
            "year": self.today.year,
            "number": (self.today.month + 2) // 3,
            "agency": agency,
        }

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or "quarter"
        if kind == "range":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Hãy nhập cả ngày bắt đầu và ngày kết thúc."))
            if start > end:
                self.add_error("end", _("Ngày kết thúc phải sau ngày bắt đầu."))
            elif (end - start).days > 3660:
                self.add_error("end", _("Khoảng ngày dài tối đa 10 năm."))
        elif kind == "quarter" and data.get("number") and data["number"] > 4:
            self.add_error("number", _("Quý là một số từ 1 đến 4."))
        return data

    def _value(self, name):
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get(name)
        return self.initial.get(name)

    @property
    def period(self) -> ind.Period:
        kind = self._value("kind") or "quarter"
        y = self._value("year") or self.today.year
        n = self._value("number")
        if kind == "range":
            return ind.Period(self._value("start"), self._value("end"))
        if kind == "year":
            return ind.year(year=y)
        if kind == "month":
            return ind.month(year=y, month=n or self.today.month)
        return ind.quarter(year=y, quarter=n or (self.today.month + 2) // 3)

    @property
    def scope(self) -> ind.Scope:
        agency = self._value("agency")
        sector = self._value("sector")
        return ind.Scope(
            agency_id=getattr(agency, "pk", agency),
            sector_id=getattr(sector, "pk", sector),
            procedure_code=self._value("procedure") or "",
            channel=self._value("channel") or "",
        )

    def query(self, **changes) -> str:
        """The filter as a query string (for links: drill-down, export, trend)."""
        from urllib.parse import urlencode

        period, scope = self.period, self.scope
        params = {"kind": period.kind}
        if period.kind == "range":
            params |= {"start": f"{period.start:%d/%m/%Y}", "end": f"{period.end:%d/%m/%Y}"}
        else:
            params["year"] = period.start.year
            if period.kind in ("month", "quarter"):
                params["number"] = (
                    period.start.month if period.kind == "month" else (period.start.month + 2) // 3
                )
        params |= {
            "agency": scope.agency_id or "",
            "sector": scope.sector_id or "",
            "procedure": scope.procedure_code,
            "channel": scope.channel,
        }
        params |= changes
        return urlencode({k: v for k, v in params.items() if v not in ("", None)})
