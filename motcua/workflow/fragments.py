"""The repeated parts of the busiest officer pages, written in Python instead of templates.

The inbox rows, the dossier's answers and its timeline: Django's template engine spent most
of these pages' render time on them (a lookup, a filter and an escape for every value, an
include per row; decision 17). The markup is the templates' own, kept here:
workflow/_deadline.html, _flags.html, dossiers/_status.html and dossiers/_answers.html, and
tests/test_fragments.py checks that the two give the same markup. Every value goes through
`_html`, which escapes it unless it is already safe HTML.
"""

import html

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def escaped(value) -> str:
    """django.utils.html.conditional_escape without its lazy-string wrappers, whose cost the
    hot loops and the filter selects would pay per value."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _html(template: str, *values) -> SafeString:
    """format_html for these loops: `template` is trusted markup, `values` are escaped."""
    return SafeString(template.format(*map(escaped, values)))


# --- Inbox rows ---------------------------------------------------------------------------

_ROW = (
    '<tr class="{}"><td class="text-nowrap"><a href="{}">{}</a></td>'
    '<td><span class="text-body-secondary small">{}</span><br>{}</td>'
    '<td>{}</td><td>{}</td><td class="text-nowrap">{}</td><td class="text-nowrap">{}</td>'
    "<td>{}</td><td>{}</td></tr>\n"
)


def inbox_rows(rows, *, show_unit: bool) -> SafeString:
    """The <tr> of each rows.ListRow, its labels translated once per page."""
    on_acceptance = _html('<span class="text-body-secondary">{}</span>', _("Khi tiếp nhận"))
    overdue, due_soon = _("Quá hạn"), _("Sắp đến hạn")
    status_title, extended = _("Mã trạng thái"), _("Đã gia hạn")
    new_message = _("Tin nhắn mới")
    out = []
    for row in rows:
        if row.overdue:
            deadline = _html('<span class="tag tag-overdue">{}</span> {}', overdue, row.remaining)
        elif row.due_soon:
            deadline = _html('<span class="tag tag-due-soon">{}</span> {}', due_soon, row.remaining)
        else:
            deadline = row.remaining or "—"
        status = _html(
            '<span class="tag status-{}" title="{} {}">{}</span> ',
            row.status,
            status_title,
            row.status,
            row.status_label,
        )
        if row.extended:
            status += _html('<span class="tag tag-flag">{}</span> ', extended)
        if row.open_tasks:
            waiting = ngettext("Chờ liên thông (%(n)s)", "Chờ liên thông (%(n)s)", row.open_tasks)
            status += _html(
                '<span class="tag tag-flag">{}</span> ', waiting % {"n": row.open_tasks}
            )
        if row.unread_messages:
            status += _html('<span class="tag tag-flag">{}</span> ', new_message)
        if show_unit and row.unit_name:
            status += _html('<br><span class="small text-body-secondary">{}</span>', row.unit_name)
        out.append(
            _html(
                _ROW,
                "row-overdue" if row.overdue else "row-due-soon" if row.due_soon else "",
                row.url,
                row.code,
                row.procedure_code,
                row.procedure_name,
                row.applicant_name,
                row.channel,
                row.submitted,
                row.due or on_acceptance,
                deadline,
                SafeString(status),
            )
        )
    return SafeString("".join(out))


# --- The dossier page: answers and timeline -------------------------------------------------


def answers(sections) -> SafeString:
    """The form's answers (catalogue.forms_schema.bind's sections) as the officer reads them."""
    out = []
    for section in sections:
        out.append(_html('<h3 class="h5 mt-3">{}</h3>\n', section.label))
        if section.kind == "group":
            title = section.hints.get("item_label") or section.label
            for number, item in enumerate(section.items, 1):
                out.append(
                    _html(
                        '<h4 class="h6 mt-2">{} {}</h4>\n<dl class="summary-list">', title, number
                    )
                )
                for child in item:
                    _answer(child, out)
                out.append("</dl>\n")
        else:
            out.append('<dl class="summary-list">')
            _answer(section, out)
            out.append("</dl>\n")
    return SafeString("".join(out))


def _answer(field, out: list) -> None:
    # dossiers/_answers.html: objects open into their fields, groups inside objects are left
    # out, and only leaves with an answer (or an error) are shown.
    if field.kind == "object":
        for child in field.children:
            _answer(child, out)
    elif field.kind == "leaf" and ((field.value is not None and field.value != "") or field.errors):
        errors = "".join(
            _html('<br><span class="text-danger fw-semibold">{}</span>', message)
            for message in field.errors
        )
        out.append(
            _html(
                '<div class="row"><dt class="col-sm-5">{}</dt><dd class="col-sm-7 mb-1">{}{}</dd></div>',
                field.label,
                field.answer_display or "—",
                SafeString(errors),
            )
        )


def timeline(entries) -> SafeString:
    """The <li> of each views.TimelineEntry, newest last."""
    internal = _("Nội bộ")
    out = []
    for e in entries:
        head = _html("{}", e.label)
        if e.status_change:
            head += _html(' <span class="fw-normal small">({})</span>', e.status_change)
        if e.internal:
            head += _html(' <span class="tag">{}</span>', internal)
        who = _html(" · {}", e.actor) if e.actor is not None else ""
        where = _html(" · {}", e.unit_name) if e.unit_name else ""
        out.append(
            _html(
                '<li>\n<p class="mb-0 fw-semibold">{}</p>\n'
                '<p class="mb-0 small text-body-secondary"><time datetime="{}">{}</time>{}{}</p>\n',
                head,
                e.at_iso,
                e.at,
                who,
                where,
            )
        )
        if e.handover:
            out.append(_html('<p class="mb-0 small">{}</p>\n', e.handover))
        if e.note:
            out.append(_html('<p class="mb-0 pre-line">{}</p>\n', e.note))
        if e.items:
            lines = "".join(
                _html("<li>{}: {}</li>", item.get("component", ""), item.get("reason", ""))
                for item in e.items
            )
            out.append(_html('<ul class="mb-0 small">{}</ul>\n', SafeString(lines)))
        if e.internal_note:
            out.append(
                _html(
                    '<p class="mb-0 internal-note"><span class="fw-semibold">{}:</span> '
                    '<span class="pre-line">{}</span></p>\n',
                    e.note_label,
                    e.internal_note,
                )
            )
        out.append("</li>")
    return SafeString("".join(out))
