"""Tracking by code and contact, without telling whether a code exists."""

import re

import pytest
from django.urls import reverse

from motcua.feedback.models import Petition

pytestmark = pytest.mark.django_db

TRACK = reverse("feedback:petition_track")


def _body(response) -> str:
    return response.content.decode().replace("csrfmiddlewaretoken", "")


def test_the_right_code_and_contact_open_the_petition(client, file):
    petition = file()
    response = client.post(TRACK, {"code": petition.code.lower(), "contact": "TAM@example.vn"})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Cán bộ hẹn nhiều lần" in page and "Đã tiếp nhận" in page


def test_a_phone_filer_tracks_with_the_number_in_any_shape(client, file):
    petition = file(channel=Petition.Channel.SMS, email="", phone="0903123456")
    response = client.post(TRACK, {"code": petition.code, "contact": "+84 903 123 456"})
    assert response.status_code == 302


def test_an_unknown_code_and_a_wrong_contact_get_the_same_answer(client, file):
    petition = file()
    wrong = client.post(TRACK, {"code": petition.code, "contact": "khac@example.vn"})
    unknown = client.post(TRACK, {"code": petition.code + "9", "contact": "khac@example.vn"})
    assert wrong.status_code == unknown.status_code == 404
    assert "Không tìm thấy phản ánh, kiến nghị" in wrong.content.decode()
    assert "Cán bộ hẹn nhiều lần" not in wrong.content.decode()
    typed = re.compile(r'value="(PAKN-[^"]*|[A-Za-z0-9]{64})"')  # the code typed, the token
    a, b = typed.sub("", _body(wrong)), typed.sub("", _body(unknown))
    assert a == b


def test_the_tracking_page_is_closed_to_those_who_did_not_prove_the_contact(client, file):
    petition = file()
    response = client.get(reverse("feedback:petition_track_detail", args=[petition.code]))
    assert response.status_code == 302 and response.url.startswith(TRACK)


def test_guessing_is_slowed_down(client, file, settings):
    petition = file()
    statuses = [
        client.post(TRACK, {"code": petition.code, "contact": f"x{i}@example.vn"}).status_code
        for i in range(settings.TRACKING_MAX_FAILURES + 1)
    ]
    assert statuses[-1] == 429


def test_the_filer_gives_the_information_asked_for_and_the_agency_has_15_days_again(
    client, file, org
):
    from motcua.feedback import petitions

    petition = file()
    petitions.request_info(petition=petition, officer=org.desk_officer, question="Quầy số mấy?")
    client.post(TRACK, {"code": petition.code, "contact": "tam@example.vn"})
    detail = reverse("feedback:petition_track_detail", args=[petition.code])
    assert "Quầy số mấy?" in client.get(detail).content.decode()
    assert client.post(detail, {"info": ""}).status_code == 400
    client.post(detail, {"info": "Quầy số 3."})
    petition.refresh_from_db()
    assert petition.status == Petition.Status.INFO_GIVEN and petition.info == "Quầy số 3."
    assert petition.resolve_due_at is not None
