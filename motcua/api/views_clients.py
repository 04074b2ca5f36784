"""The agency administrator's pages for the agency's API clients (decision 0072):
/officer/api-clients/ (list), new/, <id>/ (details, change), <id>/secret/, <id>/active/."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from motcua.accounts.decorators import officer_required
from motcua.api import registration
from motcua.api.models import ApiClient
from motcua.api.scopes import SCOPES
from motcua.catalogue.models import Agency
from motcua.dossiers import access
from motcua.workflow.forms import ErrorLinksMixin
from motcua.workflow.views.common import workspace

SHOWN_ONCE = "api_client_secret"


class ClientForm(ErrorLinksMixin, forms.Form):
    form_anchor = "client-form"
    agency = forms.TypedChoiceField(label=gettext_lazy("Cơ quan"), coerce=int)
    name = forms.CharField(
        label=gettext_lazy("Tên hệ thống"),
        max_length=200,
        help_text=gettext_lazy("Ví dụ: Hệ thống một cửa điện tử của Sở."),
        error_messages={"required": gettext_lazy("Nhập tên hệ thống kết nối.")},
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Phạm vi được cấp"),
        choices=list(SCOPES.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": gettext_lazy("Chọn ít nhất một phạm vi."),
            "invalid_choice": gettext_lazy("Chọn phạm vi trong danh sách."),
        },
    )
    rate_limit_per_minute = forms.IntegerField(
        label=gettext_lazy("Số yêu cầu tối đa mỗi phút"),
        min_value=1,
        max_value=100_000,
        initial=registration.DEFAULT_RATE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=gettext_lazy("Vượt quá, hệ thống nhận trả lời 429 và chờ theo Retry-After."),
        error_messages={
            "required": gettext_lazy("Nhập số yêu cầu tối đa mỗi phút."),
            "invalid": gettext_lazy("Nhập số yêu cầu bằng chữ số, ví dụ 600."),
            "min_value": gettext_lazy("Số yêu cầu tối đa mỗi phút ít nhất là 1."),
            "max_value": gettext_lazy("Số yêu cầu tối đa mỗi phút nhiều nhất là 100000."),
        },
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is None:  # a change: the agency stays
            del self.fields["agency"]
        else:
            self.fields["agency"].choices = [(a.pk, a.name) for a in agencies]
            self.fields["agency"].initial = agencies[0].pk if agencies else None


def _admin_agencies(request) -> set[int]:
    agencies = access.administered_agency_ids(request.user)
    if not agencies:
        raise PermissionDenied
    return agencies


def _client_or_404(request, pk) -> ApiClient:
    """The client, if the user administers its agency; another agency's is not found."""
    client = (
        ApiClient.objects.select_related("application", "agency", "created_by")
        .filter(pk=pk, agency_id__in=_admin_agencies(request))
        .first()
    )
    if client is None:
        raise Http404
    return client


def _no_store(response):
    patch_cache_control(response, private=True, no_store=True)
    return response


@officer_required
def client_list(request):
    agencies = _admin_agencies(request)
    clients = ApiClient.objects.filter(agency_id__in=agencies).select_related(
        "application", "agency"
    )
    return render(
        request,
        "api/clients/list.html",
        workspace(request, clients=list(clients), several=len(agencies) > 1),
    )


@officer_required
def client_new(request):
    agencies = list(Agency.objects.filter(pk__in=_admin_agencies(request)).order_by("name"))
    form = ClientForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        client, secret = registration.register_client(
            agency=next(a for a in agencies if a.pk == data["agency"]),
            name=data["name"],
            scopes=data["scopes"],
            rate_limit_per_minute=data["rate_limit_per_minute"],
            actor=request.user,
            request=request,
        )
        request.session[SHOWN_ONCE] = {"client": client.pk, "secret": secret}
        messages.success(
            request, _("Đã đăng ký hệ thống kết nối “%(name)s”.") % {"name": client.name}
        )
        return redirect("api_clients:detail", client.pk)
    return render(
        request,
        "api/clients/new.html",
        workspace(
            request,
            form=form,
            error_list=form.error_list() if form.errors else [],
            several=len(agencies) > 1,
        ),
        status=400 if form.errors else 200,
    )


@officer_required
def client_detail(request, pk):
    client = _client_or_404(request, pk)
    form = ClientForm(
        request.POST or None,
        agencies=None,
        initial={
            "name": client.name,
            "scopes": client.scopes,
            "rate_limit_per_minute": client.rate_limit_per_minute,
        },
    )
    if request.method == "POST" and form.is_valid():
        registration.change_client(
            client=client, actor=request.user, request=request, **form.cleaned_data
        )
        messages.success(request, _("Đã lưu thay đổi."))
        return redirect("api_clients:detail", client.pk)
    shown = request.session.get(SHOWN_ONCE)
    secret = ""
    if shown and shown.get("client") == client.pk:
        secret = shown["secret"]
        del request.session[SHOWN_ONCE]  # once: a reload no longer shows it
    response = render(
        request,
        "api/clients/detail.html",
        workspace(
            request,
            client=client,
            secret=secret,
            form=form,
            error_list=form.error_list() if form.errors else [],
        ),
        status=400 if form.errors else 200,
    )
    return _no_store(response)


@officer_required
@require_POST
def client_secret(request, pk):
    client = _client_or_404(request, pk)
    secret = registration.rotate_client_secret(client=client, actor=request.user, request=request)
    request.session[SHOWN_ONCE] = {"client": client.pk, "secret": secret}
    messages.success(request, _("Đã tạo khóa bí mật mới; khóa cũ không còn dùng được."))
    return redirect("api_clients:detail", client.pk)


@officer_required
@require_POST
def client_active(request, pk):
    client = _client_or_404(request, pk)
    active = request.POST.get("active") == "1"
    registration.set_client_active(
        client=client, active=active, actor=request.user, request=request
    )
    messages.success(
        request,
        _("Đã bật lại hệ thống kết nối.") if active else _("Đã tạm dừng hệ thống kết nối."),
    )
    return redirect("api_clients:detail", client.pk)
