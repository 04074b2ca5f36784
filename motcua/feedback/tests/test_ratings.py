"""The applicant rates an ended dossier on D61 art.31(1)'s criteria; officers see only
aggregates of groups large enough to hide each rating."""

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import Role
from motcua.accounts.testing import login_officer
from motcua.core.models import OutboxEvent
from motcua.dossiers.models import Status
from motcua.factories import UnitFactory, UserFactory, make_officer, make_submitted_dossier
from motcua.feedback.models import Rating
from motcua.feedback.ratings import FIELDS, rate_dossier
from motcua.feedback.tests.conftest import returned_dossier

pytestmark = pytest.mark.django_db

ANSWERS = {
    "time": "2",
    "agencies": "2",
    "contacts": "1",
    "information": "2",
    "attitude": "0",
    "lawfulness": "2",
    "complaints": "na",
    "online": "2",
    "other": "1",
    "comment": "Cán bộ trả lời điện thoại chậm.",
}


def page(dossier):
    return reverse("dossiers:detail", args=[dossier.uuid])


def rate_url(dossier):
    return reverse("feedback:rate", args=[dossier.uuid])


def test_the_applicant_is_asked_to_rate_an_ended_dossier_on_its_page(client, citizen, ended):
    client.force_login(citizen)
    html = client.get(page(ended)).content.decode()
    assert 'id="rating"' in html
    assert "Đánh giá việc giải quyết hồ sơ" in html
    assert "Thái độ của cán bộ" in html
    assert rate_url(ended) in html


def test_the_rating_form_speaks_english_to_who_chose_it(client, citizen, ended):
    client.force_login(citizen)
    client.cookies["django_language"] = "en"
    html = client.get(page(ended)).content.decode()
    assert "Rate how your dossier was handled" in html and "Not applicable, no opinion" in html


def test_the_applicant_rates_an_ended_dossier_and_is_thanked(client, citizen, ended, org):
    client.force_login(citizen)
    response = client.post(rate_url(ended), ANSWERS)
    assert response.status_code == 302
    assert response["Location"] == page(ended) + "#rating"
    rating = Rating.objects.get(dossier=ended)
    assert (rating.time, rating.contacts, rating.attitude, rating.complaints) == (2, 1, 0, None)
    assert rating.comment == "Cán bộ trả lời điện thoại chậm."
    # The facts the statistics need, copied now.
    assert rating.procedure_code == ended.procedure.code
    assert rating.receiving_agency_id == ended.receiving_agency_id
    assert rating.ended_status == Status.RETURNED and rating.channel == "online"
    assert rating.on_time is True
    assert {org.desk.pk, org.department.pk, org.leadership.pk} <= set(
        rating.units.values_list("pk", flat=True)
    )
    html = client.get(page(ended)).content.decode()
    until = timezone.localtime(rating.created_at + timedelta(days=30)).strftime("%d/%m/%Y")
    assert "Cảm ơn quý vị đã đánh giá" in html
    assert f"thay đổi đánh giá đến ngày {until}" in html
    assert 'name="attitude"' not in html


def test_rating_publishes_dossier_rated_on_create_and_change(client, citizen, ended):
    client.force_login(citizen)
    client.post(rate_url(ended), ANSWERS)
    client.post(rate_url(ended), {**ANSWERS, "attitude": "2"})
    rating = Rating.objects.get(dossier=ended)
    published = [
        row.payload for row in OutboxEvent.objects.filter(name="dossier.rated").order_by("pk")
    ]
    assert len(published) == 2
    assert all(p["rating_id"] == rating.pk and p["dossier_id"] == ended.pk for p in published)
    assert published[0]["actor_id"] == citizen.pk and published[0]["action"] == "rated"


def test_the_applicant_changes_the_rating_within_the_window(client, citizen, ended):
    client.force_login(citizen)
    client.post(rate_url(ended), ANSWERS)
    html = client.get(page(ended) + "?rating=change").content.decode()
    assert re.search(r'<input[^>]*value="0"[^>]*id="rating-attitude_2"[^>]*checked', html)
    client.post(rate_url(ended), {**ANSWERS, "attitude": "2", "comment": ""})
    rating = Rating.objects.get(dossier=ended)
    assert rating.attitude == 2 and rating.comment == ""
    assert Rating.objects.count() == 1


def test_the_rating_cannot_be_changed_after_the_window(client, citizen, ended, settings):
    client.force_login(citizen)
    client.post(rate_url(ended), ANSWERS)
    Rating.objects.update(created_at=timezone.now() - timedelta(days=31))
    response = client.post(rate_url(ended), {**ANSWERS, "attitude": "2"})
    assert response.status_code == 302
    assert Rating.objects.get(dossier=ended).attitude == 0
    html = client.get(page(ended) + "?rating=change").content.decode()
    assert "Đã hết thời hạn thay đổi đánh giá." in html
    assert "không còn thay đổi được" in html
    assert 'name="attitude"' not in html


def test_an_open_dossier_cannot_be_rated(client, citizen, org, procedure):
    dossier = make_submitted_dossier(procedure, citizen)
    client.force_login(citizen)
    html = client.get(page(dossier)).content.decode()
    assert "Khi hồ sơ được giải quyết xong, quý vị có thể đánh giá" in html
    assert 'name="attitude"' not in html
    assert client.post(rate_url(dossier), ANSWERS).status_code == 404
    assert not Rating.objects.exists()


def test_another_citizen_cannot_rate_the_dossier(client, other_citizen, ended):
    client.force_login(other_citizen)
    assert client.post(rate_url(ended), ANSWERS).status_code == 404
    assert not Rating.objects.exists()


def test_an_officer_cannot_rate_the_dossier(client, org, ended):
    login_officer(client, org.desk_officer)
    assert client.post(rate_url(ended), ANSWERS).status_code == 403
    assert not Rating.objects.exists()


def test_a_missing_answer_is_shown_beside_its_question_and_the_rest_is_kept(client, citizen, ended):
    client.force_login(citizen)
    answers = {k: v for k, v in ANSWERS.items() if k != "attitude"}
    response = client.post(rate_url(ended), answers)
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(
        r'href="#rating-attitude_0">Thái độ của cán bộ[^<]*: Chọn một câu trả lời', html
    )
    assert "Chọn một câu trả lời cho câu hỏi này." in html
    assert "Cán bộ trả lời điện thoại chậm." in html
    assert not Rating.objects.exists()


def test_a_forged_answer_is_refused(client, citizen, ended):
    client.force_login(citizen)
    assert client.post(rate_url(ended), {**ANSWERS, "time": "7"}).status_code == 400
    assert client.post(rate_url(ended), {**ANSWERS, "time": "na"}).status_code == 400
    assert not Rating.objects.exists()


def test_the_officers_dossier_page_never_shows_the_rating(client, citizen, ended, org):
    client.force_login(citizen)
    client.post(rate_url(ended), ANSWERS)
    client.logout()
    login_officer(client, org.desk_officer)
    html = client.get(reverse("workflow:dossier", args=[ended.uuid])).content.decode()
    assert "Cán bộ trả lời điện thoại chậm." not in html
    assert "Chưa đúng mực" not in html
    assert 'id="rating"' not in html


def _rate(dossier, applicant, attitude):
    scores = dict.fromkeys(FIELDS, 2) | {"attitude": attitude, "complaints": None}
    return rate_dossier(dossier=dossier, applicant=applicant, scores=scores, comment="riêng tư")


def test_officers_see_aggregates_of_their_units_only_above_the_minimum(
    client, org, procedure, settings
):
    settings.RATING_MIN_GROUP = 3
    for attitude in (0, 2, 2):
        applicant = UserFactory()
        _rate(returned_dossier(procedure, applicant, org), applicant, attitude)
    login_officer(client, org.specialist)
    html = client.get(reverse("feedback:officer_ratings")).content.decode()
    assert "Phòng Quản lý vận tải" in html
    assert "<td>3</td>" in html
    assert "<td>1,3</td>" in html  # attitude: (0 + 2 + 2) / 3
    assert "riêng tư" not in html
    # "Not applicable" everywhere: too few answers for a mean.
    assert "chưa đủ" in html


def test_a_group_under_the_minimum_is_not_shown(client, org, procedure, settings):
    settings.RATING_MIN_GROUP = 3
    for attitude in (0, 2):
        applicant = UserFactory()
        _rate(returned_dossier(procedure, applicant, org), applicant, attitude)
    login_officer(client, org.specialist)
    html = client.get(reverse("feedback:officer_ratings")).content.decode()
    assert "Chưa đủ số lượt đánh giá để hiển thị." in html
    assert "<td>2</td>" not in html and "<td>1,0</td>" not in html


def test_an_officer_of_another_unit_sees_no_group_of_this_one(client, org, procedure, settings):
    settings.RATING_MIN_GROUP = 2
    for attitude in (0, 2):
        applicant = UserFactory()
        _rate(returned_dossier(procedure, applicant, org), applicant, attitude)
    elsewhere = UnitFactory(name="Phòng Đường bộ khác")
    stranger = make_officer(elsewhere.agency, (elsewhere, Role.SPECIALIST))
    login_officer(client, stranger)
    for by in ("unit", "procedure", "agency"):
        html = client.get(reverse("feedback:officer_ratings"), {"by": by}).content.decode()
        assert "Chưa có đánh giá nào trong kỳ này." in html
        assert "Phòng Quản lý vận tải" not in html


@pytest.mark.parametrize("manager", ["admin", "leader"])
def test_the_agencys_managers_see_the_agency_aggregate(client, org, procedure, settings, manager):
    settings.RATING_MIN_GROUP = 2
    for attitude in (1, 2):
        applicant = UserFactory()
        _rate(returned_dossier(procedure, applicant, org), applicant, attitude)
    login_officer(client, getattr(org, manager))
    html = client.get(reverse("feedback:officer_ratings"), {"by": "agency"}).content.decode()
    assert org.agency.name in html and "<td>1,5</td>" in html


def test_a_specialist_has_no_agency_view(client, org, procedure, settings):
    settings.RATING_MIN_GROUP = 2
    for attitude in (1, 2):
        applicant = UserFactory()
        _rate(returned_dossier(procedure, applicant, org), applicant, attitude)
    login_officer(client, org.specialist)
    html = client.get(reverse("feedback:officer_ratings"), {"by": "agency"}).content.decode()
    assert 'value="agency"' not in html
    assert org.agency.name not in html  # shown by unit instead
    assert "Phòng Quản lý vận tải" in html


def test_ratings_are_not_in_the_admin():
    assert Rating not in admin.site._registry


def test_the_workspace_menu_links_to_questions_and_ratings(client, org):
    login_officer(client, org.specialist)
    html = client.get(reverse("workflow:inbox")).content.decode()
    assert reverse("feedback:officer_ratings") in html
    assert reverse("feedback:officer_questions") in html


def test_a_citizen_cannot_open_the_officers_ratings_page(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("feedback:officer_ratings")).status_code == 403


def test_the_aggregates_page_reads_the_same_queries_however_many_ratings(
    client, org, procedure, settings, django_assert_num_queries
):
    settings.RATING_MIN_GROUP = 2
    login_officer(client, org.admin)
    url = reverse("feedback:officer_ratings")

    def rate_one():
        applicant = UserFactory()
        _rate(returned_dossier(procedure, applicant, org), applicant, 1)

    rate_one()
    client.get(url, {"by": "procedure"})  # sessions, memberships cached
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"by": "procedure"})
    for _ in range(3):
        rate_one()
    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get(url, {"by": "procedure"}).content.decode()
    assert "<td>4</td>" in html
