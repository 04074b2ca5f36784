"""What every officer page of reports does first (decision 0059): an officer, then a reader
of statistics; anyone else gets a 403 page saying whose pages these are."""

from functools import wraps

from django.urls import reverse
from django.utils.translation import gettext as _

from motcua.accounts.decorators import officer_required
from motcua.core.boundary import refusal
from motcua.reports import access


def refused(request):
    return refusal(
        request,
        status=403,
        title=_("Bạn không có quyền xem báo cáo, thống kê"),
        message=_(
            "Trang này dành cho lãnh đạo cơ quan, lãnh đạo phòng và quản trị viên cơ quan. "
            "Nếu bạn cần xem số liệu, hãy đề nghị quản trị viên cơ quan phân quyền."
        ),
        back_url=reverse("workflow:inbox"),
    )


def reader_required(view):
    """officer_required, then access.can_read_reports (the agency of a page's filter is
    checked by the page: access.can_read_agency)."""

    @officer_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.can_read_reports(request.user):
            return refused(request)
        return view(request, *args, **kwargs)

    return wrapper
