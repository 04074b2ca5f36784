import re

import pytest
from django.urls import reverse

from motcua.dossiers import services
from motcua.dossiers.tests.helpers import complete_draft


@pytest.fixture
def submitted(citizen, procedure):
    dossier = complete_draft(procedure, citizen)
    return services.dossier_submit(dossier_uuid=dossier.uuid, applicant=citizen)


def track(client, code, secret):
    return client.post(reverse("dossiers:track"), {"code": code, "secret": secret})


@pytest.mark.parametrize("secret", ["0912345678", "+84 912 345 678", "001090012345"])
def test_code_with_phone_or_id_number_shows_status_and_timeline(client, submitted, secret):
    response = track(client, submitted.code, secret)
    html = response.content.decode()
    assert response.status_code == 200
    assert submitted.code in html and "Mới đăng ký" in html and submitted.procedure.name in html
    assert 'class="timeline"' in html


def test_tracking_shows_no_personal_data(client, submitted):
    html = track(client, submitted.code, "0912345678").content.decode()
    assert "Nguyễn Văn An" not in html
    assert "0912345678" not in html and submitted.applicant_email not in html


def test_wrong_pair_looks_exactly_like_an_unknown_code(client, submitted):
    wrong = track(client, submitted.code, "0999999999")
    unknown = track(client, "000.00.99.H99-260101-0001", "0999999999")
    assert wrong.status_code == unknown.status_code == 404
    unknown_code = "000.00.99.H99-260101-0001"
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')

    def page_text(response):
        text = response.content.decode().replace(submitted.code, "X").replace(unknown_code, "X")
        return csrf.sub("", text)

    assert page_text(wrong) == page_text(unknown)


def test_failed_tries_are_rate_limited(client, settings, submitted):
    settings.TRACKING_MAX_FAILURES = 3
    for _ in range(3):
        assert track(client, "nope", "0999999999").status_code == 404
    blocked = track(client, submitted.code, "0912345678")  # even the right pair, for now
    assert blocked.status_code == 429
    assert "Quá nhiều lần tra cứu" in blocked.content.decode()


def test_the_id_number_of_another_dossier_does_not_open_this_one(
    client, submitted, other_citizen, procedure
):
    other = complete_draft(procedure, other_citizen)
    services.dossier_submit(dossier_uuid=other.uuid, applicant=other_citizen)
    assert track(client, submitted.code, other_citizen.citizen_id).status_code == 404
    assert track(client, submitted.code, other_citizen.phone).status_code == 404
