import uuid

import pytest
from django.urls import reverse

from motcua.dossiers.models import Dossier, Status


def start(client, procedure, token=None):
    return client.post(
        reverse("dossiers:start", args=[procedure.code]), {"token": str(token or uuid.uuid4())}
    )


def test_anonymous_start_is_sent_to_login_and_creates_nothing(client, procedure):
    response = start(client, procedure)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert not Dossier.objects.exists()


def test_start_prefills_the_form_from_the_profile(client, citizen, procedure):
    client.force_login(citizen)
    response = start(client, procedure)
    dossier = Dossier.objects.get()
    assert response["Location"] == reverse("dossiers:detail", args=[dossier.uuid])
    assert dossier.status == Status.DRAFT
    assert dossier.form_data["applicant"] == {"full_name": "Nguyễn Văn An", "phone": "0912345678"}
    assert dossier.prefill_sources["applicant.phone"] == "profile.phone"
    page = client.get(reverse("dossiers:section", args=[dossier.uuid, "applicant"]))
    assert 'value="Nguyễn Văn An"' in page.content.decode()


def test_double_click_on_start_makes_one_draft(client, citizen, procedure):
    client.force_login(citizen)
    token = uuid.uuid4()
    first = start(client, procedure, token)
    second = start(client, procedure, token)
    assert first["Location"] == second["Location"]
    assert Dossier.objects.count() == 1


def test_another_person_cannot_reuse_a_start_token(client, citizen, other_citizen, procedure):
    token = uuid.uuid4()
    client.force_login(citizen)
    start(client, procedure, token)
    client.force_login(other_citizen)
    assert start(client, procedure, token).status_code == 403
    assert Dossier.objects.count() == 1


def test_section_errors_are_vietnamese_next_to_the_field_and_keep_the_input(
    client, citizen, procedure
):
    client.force_login(citizen)
    start(client, procedure)
    dossier = Dossier.objects.get()
    url = reverse("dossiers:section", args=[dossier.uuid, "vehicles"])
    response = client.post(
        url,
        {
            "vehicles.0.plate": "51A12345",
            "vehicles.0.seats": "nhiều",
            "vehicles.0.ownership": "owned",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nhập biển số xe theo dạng 51A-123.45" in html
    assert 'id="f-vehicles-0-plate-error"' in html
    assert "Nhập một số nguyên" in html
    assert 'value="51A12345"' in html  # what was typed is kept
    assert 'class="error-summary"' in html
    dossier.refresh_from_db()
    assert dossier.form_data["vehicles"][0]["plate"] == "51A12345"  # the draft keeps it too


def test_valid_section_moves_to_the_next_one(client, citizen, procedure):
    client.force_login(citizen)
    start(client, procedure)
    dossier = Dossier.objects.get()
    response = client.post(
        reverse("dossiers:section", args=[dossier.uuid, "applicant"]),
        {
            "applicant.full_name": "Nguyễn Văn An",
            "applicant.phone": "0912345678",
            "applicant.birth_date": "05/09/1990",
        },
    )
    assert response["Location"] == reverse("dossiers:section", args=[dossier.uuid, "vehicles"])
    dossier.refresh_from_db()
    assert dossier.form_data["applicant"]["birth_date"] == "1990-09-05"
    page = client.get(reverse("dossiers:section", args=[dossier.uuid, "applicant"]))
    assert 'value="05/09/1990"' in page.content.decode()


def test_add_and_remove_a_vehicle(client, citizen, procedure):
    client.force_login(citizen)
    start(client, procedure)
    dossier = Dossier.objects.get()
    url = reverse("dossiers:section", args=[dossier.uuid, "vehicles"])
    vehicle = {
        "vehicles.0.plate": "51A-123.45",
        "vehicles.0.seats": "16",
        "vehicles.0.ownership": "owned",
    }
    html = client.post(url, {**vehicle, "_add": "vehicles"}).content.decode()
    assert 'name="vehicles.1.plate"' in html
    response = client.post(
        url,
        {
            **vehicle,
            "vehicles.1.plate": "29B-456.78",
            "vehicles.1.seats": "45",
            "vehicles.1.ownership": "owned",
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert [v["plate"] for v in dossier.form_data["vehicles"]] == ["51A-123.45", "29B-456.78"]
    client.post(url, {**vehicle, "vehicles.1.plate": "29B-456.78", "_remove": "vehicles.0"})
    dossier.refresh_from_db()
    assert [v["plate"] for v in dossier.form_data["vehicles"]] == ["29B-456.78"]


def test_leased_vehicle_requires_a_contract_number(client, citizen, procedure):
    client.force_login(citizen)
    start(client, procedure)
    dossier = Dossier.objects.get()
    url = reverse("dossiers:section", args=[dossier.uuid, "vehicles"])
    leased = {
        "vehicles.0.plate": "51A-123.45",
        "vehicles.0.seats": "16",
        "vehicles.0.ownership": "leased",
    }
    response = client.post(url, leased)
    assert response.status_code == 200
    assert 'id="f-vehicles-0-contract_no-error"' in response.content.decode()
    assert client.post(url, {**leased, "vehicles.0.contract_no": "HĐ-01/2026"}).status_code == 302


def test_hidden_conditional_answer_is_not_kept(client, citizen, procedure):
    client.force_login(citizen)
    start(client, procedure)
    dossier = Dossier.objects.get()
    client.post(
        reverse("dossiers:section", args=[dossier.uuid, "vehicles"]),
        {
            "vehicles.0.plate": "51A-123.45",
            "vehicles.0.seats": "16",
            "vehicles.0.ownership": "owned",
            "vehicles.0.contract_no": "HĐ-cũ",
        },
    )
    dossier.refresh_from_db()
    assert "contract_no" not in dossier.form_data["vehicles"][0]


def test_autosave_request_saves_the_draft(client, citizen, procedure):
    client.force_login(citizen)
    start(client, procedure)
    dossier = Dossier.objects.get()
    response = client.post(
        reverse("dossiers:section", args=[dossier.uuid, "applicant"]),
        {"applicant.full_name": "Nguyễn Văn Anh"},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.json() == {"saved": True}
    dossier.refresh_from_db()
    assert dossier.form_data["applicant"]["full_name"] == "Nguyễn Văn Anh"


def test_unknown_section_is_404(client, citizen, procedure):
    client.force_login(citizen)
    start(client, procedure)
    dossier = Dossier.objects.get()
    assert client.get(reverse("dossiers:section", args=[dossier.uuid, "nope"])).status_code == 404


def test_task_list_shows_section_states(client, citizen, procedure):
    client.force_login(citizen)
    start(client, procedure)
    dossier = Dossier.objects.get()
    html = client.get(reverse("dossiers:detail", args=[dossier.uuid])).content.decode()
    assert "Đã xong" in html  # applicant section, prefilled and valid
    assert "Chưa bắt đầu" in html  # vehicles
    assert "Chưa thể nộp" in html


def test_draft_can_be_discarded(client, citizen, procedure):
    client.force_login(citizen)
    start(client, procedure)
    dossier = Dossier.objects.get()
    client.post(reverse("dossiers:discard", args=[dossier.uuid]))
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    "button",
    [
        {"_add": "vehicles.7.x"},
        {"_add": "applicant.full_name.y"},
        {"_remove": "vehicles.a.9"},
        {"_add": "other.list"},
        {"_remove": "vehicles.99"},
    ],
)
def test_forged_add_or_remove_buttons_change_nothing_and_never_fail(
    client, citizen, procedure, button
):
    client.force_login(citizen)
    start(client, procedure)
    dossier = Dossier.objects.get()
    url = reverse("dossiers:section", args=[dossier.uuid, "vehicles"])
    vehicle = {
        "vehicles.0.plate": "51A-123.45",
        "vehicles.0.seats": "16",
        "vehicles.0.ownership": "owned",
    }
    response = client.post(url, {**vehicle, **button})
    assert response.status_code == 200
    dossier.refresh_from_db()
    assert [v["plate"] for v in dossier.form_data["vehicles"]] == ["51A-123.45"]
