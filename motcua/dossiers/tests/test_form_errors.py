"""What the applicant is told when an answer is wrong: the error summary names and links each
field, impossible dates, codes typed in another case, rules across sections (decision 0050)."""

import pytest
from django.urls import reverse

from motcua.catalogue.forms_schema import schema_problems, validate_form
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.helpers import complete_draft
from motcua.factories import SIMPLE_SCHEMA, SIMPLE_UI, ProcedureFactory

pytestmark = pytest.mark.django_db


def section_url(dossier, name):
    return reverse("dossiers:section", args=[dossier.uuid, name])


@pytest.fixture
def draft(procedure, citizen, client):
    client.force_login(citizen)
    return services.dossier_start(procedure=procedure, applicant=citizen)


def test_each_summary_entry_names_its_field_and_links_to_it(client, draft):
    html = client.post(
        section_url(draft, "applicant"), {"applicant.full_name": "", "applicant.phone": "12"}
    ).content.decode()
    assert '<a href="#f-applicant-full_name">Họ và tên: Trường này là bắt buộc.</a>' in html
    assert '<a href="#f-applicant-phone">Số điện thoại: Giá trị không đúng định dạng.</a>' in html
    assert 'id="f-applicant-full_name"' in html  # the link's target is on the page
    # Beside the field, the message alone.
    assert '<p class="invalid-feedback d-block" id="f-applicant-full_name-error">Trường này' in html


def test_a_field_of_a_repeated_item_is_named_with_its_item(client, draft):
    html = client.post(
        section_url(draft, "vehicles"),
        {
            "vehicles.0.plate": "51A-123.45",
            "vehicles.0.seats": "16",
            "vehicles.0.ownership": "owned",
            "vehicles.1.plate": "ABC",
            "vehicles.1.seats": "16",
        },
    ).content.decode()
    assert (
        '<a href="#f-vehicles-1-plate">Xe 2 – Biển số: Nhập biển số xe theo dạng 51A-123.45</a>'
        in html
    )
    # A radio group is linked to its first choice, the element that can take focus.
    assert (
        '<a href="#f-vehicles-1-ownership-1">Xe 2 – Quyền sử dụng: Trường này là bắt buộc.</a>'
        in html
    )
    assert 'id="f-vehicles-1-ownership-1"' in html


def test_the_declaration_error_is_in_the_summary_at_the_top_linked_to_the_checkbox(
    client, citizen, procedure
):
    dossier = complete_draft(procedure, citizen)
    client.force_login(citizen)
    response = client.post(reverse("dossiers:submit", args=[dossier.uuid]), {})
    html = response.content.decode()
    assert response.status_code == 400
    summary = html.index('class="error-summary"')
    link = html.index(
        '<a href="#declaration">Lời cam đoan: Xác nhận lời cam đoan trước khi nộp hồ sơ.</a>'
    )
    assert summary < link < html.index("<section")  # at the top, before the answers
    assert 'id="declaration"' in html


def test_the_review_page_without_an_error_has_no_summary(client, citizen, procedure):
    dossier = complete_draft(procedure, citizen)
    client.force_login(citizen)
    html = client.get(reverse("dossiers:review", args=[dossier.uuid])).content.decode()
    assert 'class="error-summary"' not in html


# --- Dates --------------------------------------------------------------------------------


def post_birth_date(client, draft, typed):
    return client.post(
        section_url(draft, "applicant"),
        {
            "applicant.full_name": "Nguyễn Văn An",
            "applicant.phone": "0912345678",
            "applicant.birth_date": typed,
        },
    ).content.decode()


@pytest.mark.parametrize(
    ("typed", "shown"), [("31/02/2025", "31/02/2025"), ("30.2.2024", "30/02/2024")]
)
def test_an_impossible_date_is_told_it_does_not_exist(client, draft, typed, shown):
    html = post_birth_date(client, draft, typed)
    assert f"Ngày {shown} không có thật: kiểm tra lại ngày và tháng." in html
    assert "Nhập ngày theo dạng" not in html
    assert f'value="{typed}"' in html  # what was typed is kept


def test_a_date_in_the_wrong_format_is_told_the_format(client, draft):
    html = post_birth_date(client, draft, "2025/02/31")
    assert "Ngày sinh: Nhập ngày theo dạng ngày/tháng/năm, ví dụ 25/12/2026." in html
    assert "không có thật" not in html


def test_a_real_date_is_accepted(client, draft):
    response = client.post(
        section_url(draft, "applicant"),
        {
            "applicant.full_name": "Nguyễn Văn An",
            "applicant.phone": "0912345678",
            "applicant.birth_date": "29/02/2024",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.form_data["applicant"]["birth_date"] == "2024-02-29"


def limited_schema(**limits):
    schema = {**SIMPLE_SCHEMA, "properties": dict(SIMPLE_SCHEMA["properties"])}
    applicant = dict(schema["properties"]["applicant"])
    applicant["properties"] = {
        **applicant["properties"],
        "birth_date": {"type": "string", "format": "date", "title": "Ngày sinh", **limits},
    }
    schema["properties"]["applicant"] = applicant
    return schema


def test_a_future_birth_date_is_refused_when_the_schema_says_so(client, citizen):
    procedure = ProcedureFactory(form_schema=limited_schema(formatMaximum="today"))
    client.force_login(citizen)
    draft = services.dossier_start(procedure=procedure, applicant=citizen)
    html = post_birth_date(client, draft, "01/01/2099")
    assert "Ngày này chưa đến: nhập một ngày không sau hôm nay" in html
    assert post_birth_date(client, draft, "01/01/1990") == ""  # a redirect: accepted


def test_a_date_before_the_schema_minimum_is_refused(procedure):
    schema = limited_schema(formatMinimum="2000-01-01")
    data = {"applicant": {"full_name": "An", "phone": "0912345678", "birth_date": "1999-12-31"}}
    errors = validate_form(schema, SIMPLE_UI, data)
    assert errors["applicant.birth_date"] == ["Nhập một ngày không trước 01/01/2000."]
    data["applicant"]["birth_date"] = "2000-01-01"
    assert "applicant.birth_date" not in validate_form(schema, SIMPLE_UI, data)


def test_a_date_limit_that_is_no_date_is_a_schema_problem():
    problems = schema_problems(limited_schema(formatMaximum="tomorrow"), SIMPLE_UI)
    assert any("formatMaximum" in p and "applicant.birth_date" in p for p in problems)
    assert schema_problems(limited_schema(formatMaximum="today"), SIMPLE_UI) == []


# --- Codes typed in another case ----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("51a-123.45", "51A-123.45"), (" 51a 123.45 ", "51A-123.45"), ("51A-123.45", "51A-123.45")],
)
def test_a_plate_typed_in_lowercase_or_with_a_space_is_normalised(client, draft, typed, stored):
    response = client.post(
        section_url(draft, "vehicles"),
        {"vehicles.0.plate": typed, "vehicles.0.seats": "16", "vehicles.0.ownership": "owned"},
    )
    assert response.status_code == 302  # accepted: on to the next step
    draft.refresh_from_db()
    assert draft.form_data["vehicles"][0]["plate"] == stored


def test_a_plate_no_normalisation_can_save_keeps_what_was_typed_and_says_why(client, draft):
    html = client.post(
        section_url(draft, "vehicles"),
        {"vehicles.0.plate": "51a-12", "vehicles.0.seats": "16", "vehicles.0.ownership": "owned"},
    ).content.decode()
    assert "Nhập biển số xe theo dạng 51A-123.45" in html
    assert 'value="51a-12"' in html


def test_a_code_the_hints_mark_upper_case_is_stored_upper_case(client, citizen):
    ui = {"fields": {**SIMPLE_UI["fields"], "vehicles.*.contract_no": {"normalise": "upper"}}}
    procedure = ProcedureFactory(form_ui=ui)
    client.force_login(citizen)
    draft = services.dossier_start(procedure=procedure, applicant=citizen)
    client.post(
        section_url(draft, "vehicles"),
        {
            "vehicles.0.plate": "51A-123.45",
            "vehicles.0.seats": "16",
            "vehicles.0.ownership": "leased",
            "vehicles.0.contract_no": "hd-12/2026",
        },
    )
    draft.refresh_from_db()
    assert draft.form_data["vehicles"][0]["contract_no"] == "HD-12/2026"
    assert schema_problems(SIMPLE_SCHEMA, {"fields": {"applicant.phone": {"normalise": "x"}}})


# --- Rules across sections ----------------------------------------------------------------

LICENCE_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["operator", "request"],
    "properties": {
        "operator": {
            "type": "object",
            "title": "Đơn vị vận tải",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "title": "Tên đơn vị"},
                "licence_no": {"type": "string", "title": "Số giấy phép"},
                "licence_date": {"type": "string", "format": "date", "title": "Ngày cấp"},
                "licence_issuer": {"type": "string", "title": "Cơ quan cấp"},
            },
            "dependentRequired": {"licence_no": ["licence_date", "licence_issuer"]},
        },
        "request": {
            "type": "object",
            "title": "Đề nghị",
            "required": ["badge_type"],
            "properties": {
                "badge_type": {
                    "type": "string",
                    "title": "Loại phù hiệu",
                    "enum": ["taxi", "internal"],
                }
            },
        },
    },
    "allOf": [
        {
            "if": {
                "required": ["request"],
                "properties": {"request": {"properties": {"badge_type": {"const": "taxi"}}}},
            },
            "then": {"properties": {"operator": {"required": ["licence_no"]}}},
        }
    ],
}


@pytest.fixture
def licence_draft(client, citizen):
    procedure = ProcedureFactory(form_schema=LICENCE_SCHEMA, form_ui={})
    client.force_login(citizen)
    return services.dossier_start(procedure=procedure, applicant=citizen)


def test_a_licence_number_needs_its_date_and_issuer_when_its_section_is_saved(
    client, licence_draft
):
    response = client.post(
        section_url(licence_draft, "operator"),
        {"operator.name": "HTX Vận tải Sông Hàn", "operator.licence_no": "GP-123"},
    )
    html = response.content.decode()
    assert response.status_code == 200  # the section stays open
    needed = "Trường này là bắt buộc khi đã nhập “Số giấy phép”."
    assert f'<a href="#f-operator-licence_date">Ngày cấp: {needed}</a>' in html
    assert f'<a href="#f-operator-licence_issuer">Cơ quan cấp: {needed}</a>' in html


def test_an_answer_that_needs_more_in_another_section_leads_there_with_its_errors(
    client, licence_draft
):
    client.post(section_url(licence_draft, "operator"), {"operator.name": "HTX Sông Hàn"})
    response = client.post(section_url(licence_draft, "request"), {"request.badge_type": "taxi"})
    assert response["Location"] == section_url(licence_draft, "operator") + "?check=1"
    html = client.get(response["Location"]).content.decode()
    assert "Theo câu trả lời ở mục “Đề nghị”, mục “Đơn vị vận tải” cần thêm thông tin" in html
    assert '<a href="#f-operator-licence_no">Số giấy phép: Trường này là bắt buộc.</a>' in html
    # Filled in, the applicant goes on.
    response = client.post(
        section_url(licence_draft, "operator"),
        {
            "operator.name": "HTX Sông Hàn",
            "operator.licence_no": "GP-1",
            "operator.licence_date": "01/02/2024",
            "operator.licence_issuer": "Sở Xây dựng",
        },
    )
    assert response["Location"] == section_url(licence_draft, "request")


def test_an_answer_that_asks_nothing_more_elsewhere_moves_on(client, licence_draft):
    client.post(section_url(licence_draft, "operator"), {"operator.name": "HTX Sông Hàn"})
    response = client.post(
        section_url(licence_draft, "request"), {"request.badge_type": "internal"}
    )
    assert response["Location"] == reverse("dossiers:attachments", args=[licence_draft.uuid])


def test_a_section_not_started_is_not_flagged_by_a_rule_of_another(client, licence_draft):
    response = client.post(section_url(licence_draft, "request"), {"request.badge_type": "taxi"})
    assert response["Location"] == reverse("dossiers:attachments", args=[licence_draft.uuid])
    assert Dossier.objects.get().form_data["request"] == {"badge_type": "taxi"}


def test_another_applicant_cannot_save_the_section(client, licence_draft, other_citizen):
    client.force_login(other_citizen)
    response = client.post(section_url(licence_draft, "request"), {"request.badge_type": "taxi"})
    assert response.status_code == 404


def test_the_review_page_lists_each_wrong_answer_linked_to_its_field(client, citizen, procedure):
    form = {
        "applicant": {"full_name": "Nguyễn Văn An", "phone": "12"},
        "vehicles": [{"plate": "51A-123.45", "seats": 16, "ownership": "owned"}],
    }
    dossier = complete_draft(procedure, citizen, form=form)
    client.force_login(citizen)
    html = client.get(reverse("dossiers:review", args=[dossier.uuid])).content.decode()
    url = section_url(dossier, "applicant") + "?check=1#f-applicant-phone"
    assert f'<a href="{url}">Số điện thoại: Giá trị không đúng định dạng.</a>' in html
    assert "Nộp hồ sơ</button>" not in html  # not ready: no submit button
