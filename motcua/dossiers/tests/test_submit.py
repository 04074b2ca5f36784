import re
import threading
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers import services
from motcua.dossiers.codes import allocate_code, format_code
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.dossiers.tests.helpers import complete_draft
from motcua.factories import AgencyFactory, UserFactory


def submit(client, dossier, declaration=True):
    data = {"declaration": "on"} if declaration else {}
    return client.post(reverse("dossiers:submit", args=[dossier.uuid]), data)


def test_complete_dossier_gets_status_1_a_code_and_an_email(
    client, citizen, procedure, mailoutbox, django_capture_on_commit_callbacks
):
    dossier = complete_draft(procedure, citizen)
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, dossier)
    assert response["Location"] == reverse("dossiers:submitted", args=[dossier.uuid])
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    today = timezone.localdate()
    assert dossier.code == f"{procedure.receiving_agency.identifier}-{today:%y%m%d}-0001"
    assert dossier.applicant_phone == "0912345678"
    assert dossier.applicant_id_number == citizen.citizen_id
    assert len(mailoutbox) == 1 and dossier.code in mailoutbox[0].subject
    assert mailoutbox[0].to == [citizen.email]
    page = client.get(response["Location"]).content.decode()
    assert dossier.code in page and "data:image/svg+xml;base64," in page
    events = list(DossierEvent.objects.filter(dossier=dossier).values_list("to_status", flat=True))
    assert events == [Status.SUBMITTED]


def test_submission_without_declaration_is_refused(client, citizen, procedure):
    dossier = complete_draft(procedure, citizen)
    client.force_login(citizen)
    response = submit(client, dossier, declaration=False)
    assert response.status_code == 400
    assert "Xác nhận lời cam đoan" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.DRAFT and dossier.code is None


def test_incomplete_dossier_is_refused_and_kept(client, citizen, procedure):
    dossier = services.dossier_start(procedure=procedure, applicant=citizen)
    client.force_login(citizen)
    response = submit(client, dossier)
    assert response["Location"] == reverse("dossiers:review", args=[dossier.uuid])
    dossier.refresh_from_db()
    assert dossier.status == Status.DRAFT and dossier.code is None
    page = client.get(response["Location"]).content.decode()
    assert "Hồ sơ chưa đầy đủ" in page and "Thiếu giấy tờ: Giấy đề nghị" in page


def test_leased_vehicle_needs_the_contract_file(citizen, procedure):
    form = {
        "applicant": {"full_name": "Nguyễn Văn An", "phone": "0912345678"},
        "vehicles": [
            {"plate": "51A-123.45", "seats": 16, "ownership": "leased", "contract_no": "1"}
        ],
    }
    dossier = complete_draft(procedure, citizen, form=form)
    readiness = services.dossier_readiness(dossier)
    assert [c.name for c in readiness.missing_components] == ["Hợp đồng thuê xe"]


def test_double_submit_keeps_one_code(client, citizen, procedure):
    dossier = complete_draft(procedure, citizen)
    client.force_login(citizen)
    submit(client, dossier)
    submit(client, dossier)
    dossier.refresh_from_db()
    assert Dossier.objects.filter(status=Status.SUBMITTED).count() == 1
    assert dossier.code.endswith("-0001")
    assert DossierEvent.objects.filter(dossier=dossier, action="submitted").count() == 1


def test_submitted_dossier_can_no_longer_be_edited(client, citizen, procedure):
    dossier = complete_draft(procedure, citizen)
    client.force_login(citizen)
    submit(client, dossier)
    response = client.post(
        reverse("dossiers:section", args=[dossier.uuid, "applicant"]), {"applicant.full_name": "X"}
    )
    assert response["Location"] == reverse("dossiers:detail", args=[dossier.uuid])
    dossier.refresh_from_db()
    assert dossier.form_data["applicant"]["full_name"] == "Nguyễn Văn An"


def test_codes_are_sequential_per_agency_and_day(db):
    agency, other = AgencyFactory(identifier="000.00.18.H56"), AgencyFactory()
    day = date(2026, 11, 23)
    assert allocate_code(agency, day) == "000.00.18.H56-261123-0001"
    assert allocate_code(agency, day) == "000.00.18.H56-261123-0002"
    assert allocate_code(other, day).endswith("-261123-0001")
    assert allocate_code(agency, date(2026, 11, 24)) == "000.00.18.H56-261124-0001"
    assert format_code("X", day, 12345) == "X-261123-12345"


def test_other_person_sees_nothing_of_a_dossier(client, citizen, other_citizen, procedure):
    dossier = complete_draft(procedure, citizen)
    client.force_login(other_citizen)
    for name in ("detail", "attachments", "delivery", "review", "submitted"):
        assert client.get(reverse(f"dossiers:{name}", args=[dossier.uuid])).status_code == 404
    assert (
        client.get(reverse("dossiers:section", args=[dossier.uuid, "applicant"])).status_code == 404
    )
    assert submit(client, dossier).status_code == 404
    assert client.post(reverse("dossiers:discard", args=[dossier.uuid])).status_code == 404
    dossier.refresh_from_db()
    assert dossier.status == Status.DRAFT
    assert str(dossier.uuid) not in client.get(reverse("dossiers:mine")).content.decode()


def test_officer_cannot_use_applicant_pages(client, procedure, make_officer):
    officer = make_officer()
    client.force_login(officer)
    assert client.get(reverse("dossiers:mine")).status_code == 403


def test_my_dossiers_lists_only_mine_in_a_fixed_number_of_queries(
    client, citizen, other_citizen, procedure, django_assert_max_num_queries
):
    complete_draft(procedure, other_citizen)
    client.force_login(citizen)
    for _ in range(3):
        services.dossier_submit(
            dossier_uuid=complete_draft(procedure, citizen).uuid, applicant=citizen
        )
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("dossiers:mine"))
    for _ in range(5):
        services.dossier_start(procedure=procedure, applicant=citizen)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("dossiers:mine")).content.decode()
    assert html.count('<tr role="row">') == 1 + 8
    assert len(re.findall(r"-\d{6}-000\d", html)) == 3


def test_events_are_append_only(citizen, procedure):
    dossier = complete_draft(procedure, citizen)
    services.dossier_submit(dossier_uuid=dossier.uuid, applicant=citizen)
    event = DossierEvent.objects.get(dossier=dossier)
    event.note = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        DossierEvent.objects.filter(pk=event.pk).update(note="x")


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
def test_parallel_submissions_get_unique_gapless_codes(procedure):
    applicants = [UserFactory() for _ in range(12)]
    drafts = [complete_draft(procedure, applicant) for applicant in applicants]
    barrier = threading.Barrier(len(drafts))
    errors = []

    def run(dossier, applicant):
        try:
            barrier.wait()
            services.dossier_submit(dossier_uuid=dossier.uuid, applicant=applicant)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=pair) for pair in zip(drafts, applicants, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(
        int(code.rsplit("-", 1)[1]) for code in Dossier.objects.values_list("code", flat=True)
    )
    assert numbers == list(range(1, 13))


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
def test_parallel_double_submit_of_one_dossier_gives_one_code(procedure):
    applicant = UserFactory()
    dossier = complete_draft(procedure, applicant)
    barrier = threading.Barrier(6)
    results = []

    def run():
        barrier.wait()
        results.append(services.dossier_submit(dossier_uuid=dossier.uuid, applicant=applicant).code)
        connection.close()

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and len(results) == 6
    assert DossierEvent.objects.filter(dossier=dossier, action="submitted").count() == 1


def test_unverified_applicant_is_asked_to_verify_before_submitting(client, citizen, procedure):
    dossier = complete_draft(procedure, citizen)
    citizen.email_verified_at = None
    citizen.save(update_fields=["email_verified_at"])
    client.force_login(citizen)
    response = submit(client, dossier)
    assert response["Location"].startswith(reverse("accounts:verify"))
    dossier.refresh_from_db()
    assert dossier.status == Status.DRAFT


def test_submission_routes_to_the_desk_in_a_fixed_number_of_queries(
    citizen, procedure, org, django_assert_max_num_queries
):
    from motcua.dossiers.models import DossierAccess

    dossier = complete_draft(procedure, citizen)
    # Lock, components, attachments, code, the UPDATE, event (and its chain's head: claim,
    # move on), outbox row, workflow, desk, access, the routed columns (and the transaction's
    # own statements): conditional components used to cost a query each.
    with django_assert_max_num_queries(15):
        services.dossier_submit(dossier_uuid=dossier.uuid, applicant=citizen)
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED and dossier.current_unit == org.desk
    assert dossier.current_role == "desk" and dossier.step_key and dossier.search_text
    assert DossierAccess.objects.filter(dossier=dossier, unit=org.desk).count() == 1
