from datetime import date

import pytest
from django.urls import reverse

from motcua.core.models import AuditEntry
from motcua.factories import UserFactory

URL = reverse("accounts:profile")


def form(**overrides):
    data = {
        "full_name": "Nguyễn Văn An",
        "date_of_birth": "25/08/1990",
        "citizen_id": "001090012345",
        "address": "12 Tràng Tiền, Hoàn Kiếm, Hà Nội",
        "phone": "0912345678",
    }
    data.update(overrides)
    return data


def test_it_needs_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={URL}"


def test_it_shows_the_date_as_day_month_year(client, citizen):
    citizen.date_of_birth = date(1990, 8, 25)
    citizen.save()
    client.force_login(citizen)
    html = client.get(URL).content.decode()
    assert 'value="25/08/1990"' in html
    assert '<label class="form-label" for="id_date_of_birth">' in html


def test_it_saves_the_profile_and_audits_the_fields(client, citizen):
    client.force_login(citizen)
    response = client.post(URL, form(full_name="Nguyễn Văn Anh", phone="+84 912 345 678"))
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.full_name == "Nguyễn Văn Anh"
    assert citizen.date_of_birth == date(1990, 8, 25)
    assert citizen.phone == "0912345678"
    entry = AuditEntry.objects.get(action="profile_changed", actor=citizen)
    assert set(entry.data["fields"]) == {"full_name", "date_of_birth", "address"}


def test_unchanged_profile_writes_no_audit_row(client, citizen):
    client.force_login(citizen)
    client.post(URL, form())
    before = AuditEntry.objects.count()
    client.post(URL, form())
    assert AuditEntry.objects.count() == before


def test_wrong_citizen_id_is_shown_in_vietnamese(client, citizen):
    client.force_login(citizen)
    response = client.post(URL, form(citizen_id="12345"))
    html = response.content.decode()
    assert "Số định danh cá nhân gồm đúng 12 chữ số." in html
    assert 'href="#id_citizen_id"' in html
    assert 'id="id_citizen_id_error"' in html


def test_citizen_id_must_match_the_year_of_birth(client, citizen):
    client.force_login(citizen)
    response = client.post(URL, form(date_of_birth="25/08/1991"))
    assert "Số định danh không khớp với năm sinh 1991." in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.date_of_birth is None


def test_iso_date_is_refused_with_an_example(client, citizen):
    client.force_login(citizen)
    response = client.post(URL, form(date_of_birth="1990-08-25"))
    assert "Nhập ngày sinh theo dạng ngày/tháng/năm" in response.content.decode()


def test_phone_of_another_account_is_refused(client, citizen, other_citizen):
    client.force_login(citizen)
    response = client.post(URL, form(phone="0987654321"))
    assert "Số điện thoại này đã được đăng ký." in response.content.decode()


def test_profile_of_a_cannot_be_edited_by_b(client, citizen, other_citizen):
    client.force_login(other_citizen)
    response = client.post(
        URL, form(full_name="Kẻ mạo danh", phone="0987654321", citizen_id="", date_of_birth="")
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    other_citizen.refresh_from_db()
    assert citizen.full_name == "Nguyễn Văn An"
    assert other_citizen.full_name == "Kẻ mạo danh"


def test_it_ignores_posted_fields_it_does_not_edit(client, citizen):
    client.force_login(citizen)
    client.post(URL, form(email="khac@example.vn", kind="officer", is_staff="on"))
    citizen.refresh_from_db()
    assert citizen.kind == "citizen"
    assert not citizen.is_staff
    assert citizen.email != "khac@example.vn"


@pytest.fixture
def organisation(db):
    return UserFactory(
        kind="organisation",
        organisation_name="Công ty TNHH Sao Mai",
        tax_code="0100109106",
        representative="Phạm Văn Đức",
        citizen_id="",
    )


def test_organisation_edits_its_details(client, organisation):
    client.force_login(organisation)
    response = client.post(
        URL,
        form(
            citizen_id="",
            date_of_birth="",
            organisation_name="Công ty Cổ phần Sao Mai",
            tax_code="0100109106-001",
            representative="Phạm Văn Đức",
        ),
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.organisation_name == "Công ty Cổ phần Sao Mai"
    assert organisation.tax_code == "0100109106-001"


def test_organisation_wrong_tax_code_is_shown_in_vietnamese(client, organisation):
    client.force_login(organisation)
    response = client.post(
        URL,
        form(
            citizen_id="",
            organisation_name="A",
            tax_code="0301234567",
            representative="B",
        ),
    )
    assert "Mã số thuế không đúng (sai chữ số kiểm tra)." in response.content.decode()


def test_citizen_form_has_no_organisation_fields(client, citizen):
    client.force_login(citizen)
    assert 'name="tax_code"' not in client.get(URL).content.decode()
