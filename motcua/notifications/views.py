"""The notification centre (/notifications/) and the choice of channels."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.accounts.decorators import verified_login_required
from motcua.accounts.models import User
from motcua.notifications import services
from motcua.notifications.channels import channels


@verified_login_required
def centre(request):
    rows = services.visible_to(request.user).select_related("dossier")
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(request, "notifications/centre.html", {"page": page})


@verified_login_required
@require_POST
def mark_one_read(request, notification_id: int):
    """Mark one read, then go where it points (a notification of someone else: 404)."""
    notification = services.visible_to(request.user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    services.mark_read(user=request.user, notification_id=notification.pk)
    if (
        request.POST.get("open")
        and notification.link
        and url_has_allowed_host_and_scheme(notification.link, allowed_hosts={request.get_host()})
    ):
        return redirect(notification.link)
    return redirect("notifications:centre")


@verified_login_required
@require_POST
def mark_all_read(request):
    services.mark_read(user=request.user)
    messages.success(request, _("Đã đánh dấu tất cả thông báo là đã đọc."))
    return redirect("notifications:centre")


def _options(user):
    """The channels a person may choose, with whether they can be reached by each."""
    options = []
    for channel_id in channels.ids():
        if channel_id == services.PORTAL:
            continue
        channel = channels[channel_id]
        options.append(
            {
                "id": channel_id,
                "label": _(channel.label) if channel.label else channel_id,
                "address": channel.address(user),
            }
        )
    return options


@verified_login_required
def preferences(request):
    user = request.user
    options = _options(user)
    chosen = services.chosen_channels(user)
    errors = []
    if request.method == "POST":
        picked = [o["id"] for o in options if request.POST.get(f"channel_{o['id']}") == "on"]
        unreachable = [o["label"] for o in options if o["id"] in picked and not o["address"]]
        language = request.POST.get("language", user.language)
        if language not in dict(settings.LANGUAGES):
            errors.append(_("Ngôn ngữ không hợp lệ."))
        if unreachable:
            errors.append(
                _(
                    "Tài khoản chưa có địa chỉ cho kênh: %(names)s. Hãy cập nhật thông tin tài khoản trước."
                )
                % {"names": ", ".join(str(n) for n in unreachable)}
            )
        if not errors:
            services.set_channels(user=user, chosen=picked)
            if language != user.language:
                User.objects.filter(pk=user.pk).update(language=language)
            messages.success(request, _("Đã lưu cách nhận thông báo."))
            return redirect("notifications:preferences")
        chosen = [services.PORTAL, *picked]
    return render(
        request,
        "notifications/preferences.html",
        {
            "options": options,
            "chosen": chosen,
            "errors": errors,
            "languages": settings.LANGUAGES,
            "language": request.POST.get("language", user.language),
        },
    )
