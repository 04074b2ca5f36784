"""The inbox (hộp việc): the officer's queues, the search and the open tasks."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from motcua.accounts.decorators import officer_required
from motcua.dossiers import access, access_log
from motcua.dossiers.models import AccessRecord
from motcua.workdays import services as workdays
from motcua.workflow import fragments, queues
from motcua.workflow.counts import inbox_counts
from motcua.workflow.forms import InboxFilterForm
from motcua.workflow.models import Task
from motcua.workflow.search import search_rows
from motcua.workflow.views.common import workspace

PAGE_SIZE = 25

TABS = (
    ("new", gettext_lazy("Mới tiếp nhận")),
    ("todo", gettext_lazy("Cần xử lý")),
    ("due_soon", gettext_lazy("Sắp đến hạn")),
    ("overdue", gettext_lazy("Quá hạn")),
    ("waiting", gettext_lazy("Chờ công dân")),
    ("tasks", gettext_lazy("Liên thông, xin ý kiến")),
    ("all", gettext_lazy("Tất cả hồ sơ")),
)


def _query(params, **changes) -> str:
    """The query string `params` (without its page) with `changes`; an empty value removes a key."""
    merged = {k: v for k, v in params.items() if k != "page" and v not in ("", None)}
    for key, value in changes.items():
        if value in ("", None):
            merged.pop(key, None)
        else:
            merged[key] = value
    return "?" + urlencode(merged) if merged else "?"


@dataclass
class TaskRow:
    task: Task
    remaining: str
    overdue: bool
    due_soon: bool


@officer_required
def inbox(request):
    user = request.user
    mine = access.memberships(user)
    procedures = queues.filter_procedures({m.unit.agency_id for m in mine})
    filters = InboxFilterForm(request.GET, procedures=procedures)
    default_tab = "new" if access.has_desk_role(user) else "todo"
    tab = request.GET.get("tab", default_tab)
    if tab not in dict(TABS):
        tab = default_tab
    q = filters.value("q", "").strip()
    procedure_id = filters.value("procedure")
    status = filters.value("status")
    order = filters.value("order", "due")
    page = filters.value("page", 1)
    start = (page - 1) * PAGE_SIZE
    now = timezone.now()
    counts = inbox_counts(user, now)

    rows, task_rows = [], []
    if q:
        rows, more = search_rows(
            user, q, start=start, size=PAGE_SIZE, now=now, procedure_id=procedure_id, status=status
        )
    elif tab == "tasks":
        batch = list(queues.open_tasks_for(user)[start : start + PAGE_SIZE + 1])
        more = len(batch) > PAGE_SIZE
        tasks = batch[:PAGE_SIZE]
        deadlines = workdays.deadlines([t.due_at for t in tasks], now)
        task_rows = [
            TaskRow(t, d.remaining, d.overdue, d.due_soon)
            for t, d in zip(tasks, deadlines, strict=True)
        ]
    else:
        rows, more = queues.queue_rows(
            user,
            tab,
            start=start,
            size=PAGE_SIZE,
            now=now,
            procedure_id=procedure_id,
            status=status,
            order=order,
        )

    params = request.GET.copy()
    params.pop("page", None)
    base = {k: params.get(k) for k in params}
    tabs = [
        {
            "name": name,
            "label": label,
            "count": counts.get(name),
            "url": _query({k: v for k, v in base.items() if k != "q"}, tab=name),
            "active": not q and name == tab,
        }
        for name, label in TABS
    ]
    # What the rows are really sorted by: search results newest first, and the "new" queue
    # (no due dates yet) by submission.
    sorted_by = "-submitted" if q else ("submitted" if tab == "new" and order == "due" else order)
    sort_links = {
        key: _query(base, order=(f"-{key}" if sorted_by == key else key))
        for key in ("due", "submitted")
    }
    response = render(
        request,
        "workflow/inbox.html",
        workspace(
            request,
            tabs=tabs,
            tab=tab,
            tab_label=dict(TABS)[tab],
            q=q,
            filters=filters,
            sorted_by=sorted_by,
            sort_links=sort_links,
            rows=rows,
            rows_html=fragments.inbox_rows(rows, show_unit=bool(q) or tab == "all"),
            task_rows=task_rows,
            page=page,
            previous_url=_query(base, page=page - 1) if page > 1 else "",
            next_url=_query(base, page=page + 1) if more else "",
            now=now,
        ),
    )
    if q:
        # A search by someone's name, ID number or phone is kept with its words; the queues
        # are the officer's own work and are not recorded (decision 37).
        access_log.record_view(actor=user, kind=AccessRecord.Kind.SEARCH, label=q, request=request)
    return response
