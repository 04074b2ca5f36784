"""fragments.py writes in Python the markup of four templates (decision 17): for realistic
data (escaping, empty values, Vietnamese text, both languages) each function's output is
the templates' own."""

import re
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

from motcua.catalogue.forms_schema import bind
from motcua.factories import SIMPLE_SCHEMA, SIMPLE_UI
from motcua.workflow import fragments
from motcua.workflow.rows import ListRow

LANGUAGES = ("vi", "en")

# The officer page's answers as a template loop over dossiers/_answers.html (the markup
# fragments.answers writes).
ANSWERS = Template(
    "{% for section in sections %}"
    '<h3 class="h5 mt-3">{{ section.label }}</h3>\n'
    '{% if section.kind == "group" %}{% for item in section.items %}'
    '<h4 class="h6 mt-2">{{ section.hints.item_label|default:section.label }} '
    "{{ forloop.counter }}</h4>\n"
    '<dl class="summary-list">{% for child in item %}'
    '{% include "dossiers/_answers.html" with field=child %}{% endfor %}</dl>\n'
    "{% endfor %}"
    '{% else %}<dl class="summary-list">'
    '{% include "dossiers/_answers.html" with field=section %}</dl>\n'
    "{% endif %}{% endfor %}"
)


def same_markup(html) -> str:
    """Whitespace between tags and at the ends is the templates' layout, not content."""
    return re.sub(r">\s+<", "><", str(html)).strip()


SCHEMA = {
    **SIMPLE_SCHEMA,
    "properties": {
        **SIMPLE_SCHEMA["properties"],
        "note": {"type": "string", "title": 'Ghi chú <của người nộp> & "trích dẫn"'},
        "agree": {"type": "boolean", "title": "Cam đoan"},
        "empty": {"type": "string", "title": "Để trống"},
    },
}
UI = {"fields": {**SIMPLE_UI["fields"], "agree": {"widget": "checkbox"}}}
DATA = {
    "applicant": {"full_name": "Nguyễn Văn <b>An</b> & Cộng sự", "phone": "0912345678"},
    "vehicles": [
        {"plate": "43B-555.66", "seats": 16, "ownership": "leased", "contract_no": ""},
        {"plate": "43A-123.45", "seats": 4, "ownership": "owned"},
    ],
    "note": "Xe đổi chủ ngày 1/3 — 'gấp'",
    "agree": False,
    "empty": "",
}
ERRORS = {
    "vehicles.0.contract_no": ["Nhập số hợp đồng thuê <bắt buộc>."],
    "applicant.birth_date": ["Ngày sinh không hợp lệ."],
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_answers_are_the_answers_templates_markup(language):
    with translation.override(language):
        for errors in (None, ERRORS):
            sections = bind(SCHEMA, UI, DATA, errors)
            want = ANSWERS.render(Context({"sections": sections}))
            got = fragments.answers(sections)
            assert same_markup(got) == same_markup(want)
    assert "&lt;b&gt;An&lt;/b&gt; &amp; Cộng sự" in got


def _row(**values) -> ListRow:
    fields = {
        "pk": 1,
        "url": "/can-bo/ho-so/00000000-0000-0000-0000-000000000001/",
        "code": "000.00.13.H57-251110-0001",
        "procedure_code": "9.000012",
        "procedure_name": 'Cấp phù hiệu <xe> & "ô tô"',
        "applicant_name": "Trần Thị Bình",
        "channel": "Trực tuyến",
        "submitted": "10/11/2025 10:00",
        "due": "12/11/2025 10:00",
        "remaining": "Còn 1 ngày 4 giờ làm việc",
        "overdue": False,
        "due_soon": False,
        "status": 4,
        "status_label": "Đang xử lý",
        "extended": False,
        "open_tasks": 0,
        "unit_name": "Phòng Quản lý vận tải",
    }
    return ListRow(**{**fields, **values})


ROWS = (
    _row(),
    _row(overdue=True, remaining="Quá 2 ngày làm việc", extended=True, open_tasks=1),
    _row(due_soon=True, open_tasks=3, applicant_name="<script>x</script>"),
    _row(remaining="", due="", status=2, status_label="Mới tiếp nhận"),
    _row(unread_messages=True, open_tasks=1),
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_inbox_rows_hold_the_deadline_status_and_flags_templates_markup(language):
    with translation.override(language):
        for row in ROWS:
            got = same_markup(fragments.inbox_rows([row], show_unit=False))
            deadline = render_to_string("workflow/_deadline.html", {"row": row})
            assert f"<td>{same_markup(deadline)}</td>" in got
            dossier = SimpleNamespace(
                status=row.status,
                get_status_display=lambda row=row: row.status_label,
                extension_count=int(row.extended),
                open_tasks=row.open_tasks,
                unread_messages=row.unread_messages,
            )
            status = render_to_string("dossiers/_status.html", {"dossier": dossier})
            flags = render_to_string("workflow/_flags.html", {"dossier": dossier})
            assert f"<td>{same_markup(status + ' ' + flags)}</td>" in got
    assert "&lt;script&gt;x&lt;/script&gt;" in fragments.inbox_rows(ROWS, show_unit=True)
