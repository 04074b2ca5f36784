import re
import time
from datetime import UTC

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


def test_tracking_reads_the_dossier_and_its_timeline_in_one_query(
    client, submitted, django_assert_num_queries
):
    with django_assert_num_queries(1):
        response = track(client, submitted.code, "0912345678")
    assert response.status_code == 200


def test_timeline_in_order_in_local_time_without_internal_events(client, submitted):
    from datetime import datetime
    from unittest import mock

    from motcua.dossiers.models import DossierEvent

    def event_at(when, **fields):
        with mock.patch("django.utils.timezone.now", return_value=when):
            DossierEvent.objects.create(dossier=submitted, **fields)

    # 01:05 UTC is 08:05 in Hà Nội; the ISO form keeps the offset.
    event_at(datetime(2030, 3, 2, 1, 5, tzinfo=UTC), action="accept", to_status=4)
    event_at(
        datetime(2030, 3, 2, 2, 0, tzinfo=UTC),
        action="forward",
        note="Ghi chú nội bộ",
        is_public=False,
    )
    event_at(
        datetime(2030, 3, 3, 2, 0, tzinfo=UTC),
        action="request_withdrawal",
        note="Lý do riêng của người nộp",
    )
    html = track(client, submitted.code, "0912345678").content.decode()
    assert '<time datetime="2030-03-02T08:05:00+07:00">08:05 02/03/2030</time>' in html
    order = [html.index(t) for t in ("Đã nộp hồ sơ", "Đã tiếp nhận", "Người nộp yêu cầu rút")]
    assert order == sorted(order)
    assert "Ghi chú nội bộ" not in html and "Lý do riêng của người nộp" not in html


def test_a_dossier_without_public_events_is_still_tracked(client, citizen, procedure):
    from motcua.dossiers.models import Dossier

    draft = complete_draft(procedure, citizen)
    Dossier.objects.filter(pk=draft.pk).update(
        status=1, code="000.00.99.H99-300101-0001", applicant_phone="0912345678"
    )
    response = track(client, "000.00.99.H99-300101-0001", "0912345678")
    assert response.status_code == 200
    html = response.content.decode()
    assert "000.00.99.H99-300101-0001" in html and 'class="timeline"' in html


def _wait_in(response) -> int | None:
    found = re.search(r"Vui lòng thử lại sau (\d+) giây", response.content.decode())
    return int(found.group(1)) if found else None


def test_a_stranger_cannot_lock_a_citizen_out_of_their_dossier(client, settings, submitted):
    settings.TRACKING_MAX_FAILURES = 10
    settings.TRACKING_DELAY_MAX_SECONDS = 2
    for _ in range(30):
        client.post(
            reverse("dossiers:track"),
            {"code": submitted.code, "secret": "0999999999"},
            REMOTE_ADDR="203.0.113.66",
        )

    def owner():
        return client.post(
            reverse("dossiers:track"),
            {"code": submitted.code, "secret": "0912345678"},
            REMOTE_ADDR="198.51.100.7",
        )

    response = owner()
    wait = _wait_in(response)
    if wait is not None:
        assert response.status_code == 429 and wait <= 2
        time.sleep(wait)
        response = owner()
    assert response.status_code == 200
    assert "Mới đăng ký" in response.content.decode()


def test_the_strangers_own_address_stays_refused_for_the_window(client, settings, submitted):
    settings.TRACKING_MAX_FAILURES = 3
    for _ in range(3):
        track(client, submitted.code, "0999999999")
    blocked = track(client, submitted.code, "0912345678")
    assert blocked.status_code == 429
    assert "Vui lòng thử lại sau 15 phút" in blocked.content.decode()


def test_looking_up_ones_own_dossier_often_is_not_limited(client, settings, submitted):
    settings.TRACKING_MAX_FAILURES = 3
    for _ in range(10):
        assert track(client, submitted.code, "0912345678").status_code == 200
