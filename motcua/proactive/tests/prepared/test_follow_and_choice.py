"""A reminder's link (levels 1 and 2) and the recommendation among procedures leading to the
same result (level 3), with the person's choice of another (issue 17, decision 0085)."""

import pytest
from django.urls import reverse

from motcua.dossiers.models import Dossier, Status
from motcua.proactive import preparing, recommend
from motcua.proactive.models import Reminder
from motcua.proactive.tests.prepared.conftest import BADGE, OTHER, make_reminder

pytestmark = pytest.mark.django_db


def follow(client, reminder):
    return client.get(reverse("proactive:follow", args=[reminder.uuid]))


# --- The link ---------------------------------------------------------------------------------


def test_a_stranger_following_the_link_gets_404_and_nothing_is_recorded(
    in_process_http, client, earlier, company, other_citizen
):
    reminder = make_reminder(earlier, company, prepare=False)
    client.force_login(other_citizen)
    assert follow(client, reminder).status_code == 404
    reminder.refresh_from_db()
    assert reminder.opened_at is None
    assert not Dossier.objects.filter(status=Status.DRAFT).exists()


def test_the_link_opens_the_prepared_draft_and_records_the_first_opening(
    in_process_http, client, earlier, company
):
    reminder = make_reminder(earlier, company)
    dossier = preparing.prepare(reminder)
    Reminder.objects.filter(pk=reminder.pk).update(dossier=dossier)
    client.force_login(company)
    response = follow(client, reminder)
    assert response["Location"] == reverse("dossiers:detail", args=[dossier.uuid])
    opened = Reminder.objects.get(pk=reminder.pk).opened_at
    assert opened is not None
    follow(client, reminder)
    assert Reminder.objects.get(pk=reminder.pk).opened_at == opened


def test_without_a_prepared_draft_the_link_starts_the_offered_procedure_at_level_1(
    in_process_http, client, earlier, company
):
    reminder = make_reminder(earlier, company, prepare=False)
    client.force_login(company)
    response = follow(client, reminder)
    dossier = Dossier.objects.get(status=Status.DRAFT)
    assert response["Location"] == reverse("dossiers:detail", args=[dossier.uuid])
    assert (dossier.procedure.code, dossier.applicant, dossier.started_by) == (
        BADGE,
        company,
        company,
    )
    assert dossier.proactive_level == 1 and dossier.prepared_at is None
    assert dossier.proactive == {"reminder": str(reminder.uuid)}
    # Again (a double click, a second visit): the same draft.
    assert follow(client, reminder)["Location"] == response["Location"]
    assert Dossier.objects.filter(status=Status.DRAFT).count() == 1


# --- Level 3 ----------------------------------------------------------------------------------


def test_the_cheapest_way_is_recommended_with_its_reasons(
    in_process_http, earlier, company, other_way
):
    dossier = preparing.prepare(make_reminder(earlier, company))
    assert dossier.procedure.code == BADGE and dossier.proactive_level == 3
    p = dossier.proactive
    assert p["recommended"] == BADGE and recommend.why_text(p) == "Chi phí thấp nhất."
    reasons = {a["code"]: recommend.reasons_text(a) for a in p["alternatives"]}
    assert reasons == {
        BADGE: "Không mất phí, 2 ngày làm việc, 1 giấy tờ phải nộp (thay vì 2)",
        OTHER: "Phí, lệ phí 50.000 đồng, 5 ngày làm việc, 2 giấy tờ phải nộp",
    }


def test_at_the_same_cost_the_fastest_then_the_fewest_documents_wins(
    in_process_http, earlier, company, other_way
):
    other_way.fee_vnd, other_way.processing_time = 0, 1
    other_way.save()
    dossier = preparing.prepare(make_reminder(earlier, company))
    assert dossier.procedure.code == OTHER and dossier.proactive_level == 3
    assert recommend.why_text(dossier.proactive) == (
        "Chi phí thấp nhất, thời gian giải quyết ngắn nhất."
    )
    dossier.delete()
    other_way.processing_time = 2
    other_way.save()
    dossier = preparing.prepare(make_reminder(earlier, company))
    assert dossier.procedure.code == BADGE
    assert recommend.why_text(dossier.proactive) == (
        "Chi phí và thời gian như nhau, ít giấy tờ phải nộp nhất."
    )


def test_the_person_chooses_the_other_way(
    in_process_http, client, earlier, company, other_way, other_citizen
):
    reminder = make_reminder(earlier, company)
    prepared = preparing.prepare(reminder)
    url = reverse("proactive:switch", args=[prepared.uuid])
    client.force_login(company)
    page = client.get(reverse("dossiers:detail", args=[prepared.uuid])).content.decode()
    assert "MotCua khuyến nghị thủ tục" in page and f'value="{OTHER}"' in page
    client.force_login(other_citizen)
    assert client.post(url, {"code": OTHER}).status_code == 404
    client.force_login(company)
    # Not one of the ways offered: nothing changes.
    response = client.post(url, {"code": "1.000001"}, follow=True)
    assert "Không chuyển được sang thủ tục đã chọn." in response.content.decode()
    assert Dossier.objects.filter(pk=prepared.pk).exists()
    response = client.post(url, {"code": OTHER})
    new = Dossier.objects.get(status=Status.DRAFT)
    assert response["Location"] == reverse("dossiers:detail", args=[new.uuid])
    assert not Dossier.objects.filter(pk=prepared.pk).exists()
    assert new.procedure.code == OTHER and new.proactive_level == 3
    assert new.proactive["chosen_by_person"] is True
    assert new.proactive["recommended"] == BADGE  # what MotCua recommended stays on record
    assert new.proactive["reminder"] == str(reminder.uuid)
    assert new.form_data["vehicles"] == prepared.form_data["vehicles"]
    assert Reminder.objects.get(pk=reminder.pk).dossier == new
    page = client.get(response["Location"]).content.decode()
    assert "Quý vị đã chọn thủ tục" in page and f'value="{BADGE}"' in page
