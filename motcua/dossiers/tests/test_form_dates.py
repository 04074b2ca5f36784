"""Dates in a procedure's form lie between 1900 and 2100 (decision 0029)."""

import pytest
from django.urls import reverse

from motcua.catalogue.forms_schema import validate_form
from motcua.dossiers import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["31/12/9999", "01/01/0001", "31/12/1899"])
def test_a_date_out_of_range_is_an_error_beside_the_field(client, citizen, procedure, typed):
    client.force_login(citizen)
    dossier = services.dossier_start(procedure=procedure, applicant=citizen)
    response = client.post(
        reverse("dossiers:section", args=[dossier.uuid, "applicant"]),
        {
            "applicant.full_name": "Nguyễn Văn An",
            "applicant.phone": "0912345678",
            "applicant.birth_date": typed,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200  # the section stays open with its error
    assert "Nhập ngày từ 01/01/1900 đến 31/12/2100." in html
    assert 'id="f-applicant-birth_date-error"' in html


def test_dates_in_range_and_malformed_dates_keep_their_messages(procedure):
    schema, ui = procedure.form_schema, procedure.form_ui
    ok = {"applicant": {"full_name": "An", "phone": "0912345678", "birth_date": "1990-09-05"}}
    assert "applicant.birth_date" not in validate_form(schema, ui, ok)
    ok["applicant"]["birth_date"] = "05-09-1990x"
    errors = validate_form(schema, ui, ok)["applicant.birth_date"]
    assert errors == ["Nhập ngày theo dạng ngày/tháng/năm, ví dụ 25/12/2026."]
