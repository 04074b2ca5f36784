"""Counter intake and who may see what."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from motcua.dossiers import access
from motcua.dossiers.models import Dossier, Status
from motcua.factories import PDF_BYTES, AgencyFactory, UnitFactory
from motcua.workflow import dossier_page, queues, search
from motcua.workflow.counts import inbox_counts
from motcua.workflow.machine import TransitionRefused, perform
from motcua.workflow.services import WalkInApplicant, register_counter_dossier

pytestmark = pytest.mark.django_db

WALK_IN = WalkInApplicant(
    full_name="Phạm Văn Đông", citizen_id="046090012345", phone="0935111222", address="Huế"
)


def test_a_walk_in_dossier_gets_the_same_code_deadlines_and_timeline(org, procedure):
    component = procedure.components.first()
    scan = SimpleUploadedFile("scan.pdf", PDF_BYTES, content_type="application/pdf")
    dossier = register_counter_dossier(
        officer=org.desk_officer,
        procedure=procedure,
        person=WALK_IN,
        channel="counter",
        files={component.pk: [scan]},
    )
    assert dossier.status == Status.SUBMITTED and dossier.channel == "counter"
    assert dossier.code.startswith(procedure.receiving_agency.identifier + "-")
    assert dossier.attachments.get().uploaded_by == org.desk_officer
    assert dossier.applicant.citizen_id == "046090012345"
    assert not dossier.applicant.has_usable_password()
    dossier = perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    assert dossier.due_at is not None and dossier.current_unit == org.department
    assert list(dossier.events.values_list("action", flat=True))[:2] == ["submitted", "accept"]
    # The same person coming back is the same applicant account.
    again = register_counter_dossier(
        officer=org.desk_officer, procedure=procedure, person=WALK_IN, channel="post", files={}
    )
    assert again.applicant == dossier.applicant and again.channel == "post"


def test_only_desk_officers_register_paper_dossiers_and_a_bad_file_saves_nothing(org, procedure):
    with pytest.raises(TransitionRefused):
        register_counter_dossier(
            officer=org.specialist, procedure=procedure, person=WALK_IN, channel="counter", files={}
        )
    from django.core.exceptions import ValidationError

    from motcua.dossiers.services import DossierError

    fake = SimpleUploadedFile("scan.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises((DossierError, ValidationError)):
        register_counter_dossier(
            officer=org.desk_officer,
            procedure=procedure,
            person=WALK_IN,
            channel="counter",
            files={procedure.components.first().pk: [fake]},
        )
    assert not Dossier.objects.exists()


def test_an_officer_sees_only_dossiers_that_reached_their_units(org, dossier, make_officer):
    other = AgencyFactory()
    stranger = make_officer(other, (UnitFactory(agency=other, kind="desk"), "desk"))
    assert access.can_view_dossier(org.desk_officer, dossier)
    assert not access.can_view_dossier(org.specialist, dossier)  # not reached them yet
    assert not access.can_view_dossier(stranger, dossier)
    assert not access.visible_dossiers(stranger).exists()
    perform(dossier_id=dossier.pk, action="accept", actor=org.desk_officer)
    assert access.can_view_dossier(org.specialist, dossier)
    assert not access.can_view_dossier(org.leader, dossier)
    assert access.can_view_dossier(org.admin, dossier)  # the agency's administrator
    assert dossier_page.officer_dossier(stranger, dossier.uuid) is None


def test_queues_and_counts(clock, org, procedure, citizen, other_citizen):
    from motcua.factories import make_submitted_dossier

    clock.set(2025, 11, 10, 10, 0)
    first = make_submitted_dossier(procedure, citizen)
    make_submitted_dossier(procedure, other_citizen, plate="43B-555.66")
    assert inbox_counts(org.desk_officer)["new"] == 2
    assert inbox_counts(org.specialist)["new"] == 0
    perform(dossier_id=first.pk, action="accept", actor=org.desk_officer)
    counts = inbox_counts(org.specialist)
    assert counts["todo"] == 1 and counts["overdue"] == 0
    clock.set(2025, 11, 11, 16, 0)  # under a working day to the due date
    assert inbox_counts(org.specialist)["due_soon"] == 1
    clock.set(2025, 11, 13, 9, 0)
    assert inbox_counts(org.specialist)["overdue"] == 1
    assert [d.pk for d in queues.queue(org.specialist, "overdue")] == [first.pk]


def test_search_by_code_name_id_number_and_plate(org, procedure, citizen, other_citizen):
    from motcua.factories import make_submitted_dossier

    a = make_submitted_dossier(procedure, citizen)
    b = make_submitted_dossier(procedure, other_citizen, plate="43B-555.66")
    officer = org.desk_officer
    assert list(search.search(officer, a.code)) == [a]
    assert list(search.search(officer, "tran thi binh")) == [b]
    assert list(search.search(officer, "TRẦN THỊ")) == [b]
    assert list(search.search(officer, "43B55566")) == [b]
    assert list(search.search(officer, "43b-555.66")) == [b]
    assert list(search.search(officer, other_citizen.citizen_id)) == [b]
    assert list(search.search(org.specialist, a.code)) == []
    # The page's own SQL read finds the same rows, and LIKE's wildcards are only characters.
    for text in (a.code, a.code[:-5], "tran thi binh", "43b-555.66", "Nguyen", "%", "_", ""):
        for who in (officer, org.specialist, org.admin):
            got, more = search.search_rows(who, text, start=0, size=25)
            assert [r.pk for r in got] == [d.pk for d in search.search(who, text)]
            assert not more
    row = search.search_rows(officer, a.code, start=0, size=25)[0][0]
    assert (row.code, row.applicant_name, row.procedure_name) == (
        a.code,
        a.applicant_name,
        procedure.name,
    )
    assert row.url == f"/officer/dossiers/{a.uuid}/"
    assert row.submitted == timezone.localtime(a.submitted_at).strftime("%d/%m/%Y %H:%M")
    assert [r.pk for r in search.search_rows(officer, a.code[:-5], start=0, size=25)[0]] == [
        b.pk,
        a.pk,
    ]
    assert search.search_rows(officer, "%", start=0, size=25) == ([], False)
    # The agency's administrator sees every dossier of the agency, reached or not.
    assert list(search.search(org.admin, "tran thi binh")) == [b]


def test_each_count_is_the_length_of_its_queue(clock, org, procedure, citizen, make_officer):
    """The counts are added up from a grouped read; they must agree with the lists."""
    from datetime import timedelta

    from motcua.factories import make_submitted_dossier

    clock.set(2025, 11, 10, 10, 0)
    now = clock.current
    # A desk officer who is also a specialist: both kinds of pairs at once.
    both = make_officer(org.agency, (org.desk, "desk"), (org.department, "specialist"))
    layout = [
        (Status.SUBMITTED, org.desk, "desk", now + timedelta(hours=5)),
        (Status.SUBMITTED, org.desk, "desk", None),
        (Status.PROCESSING, org.department, "specialist", now - timedelta(days=1)),
        (Status.PROCESSING, org.department, "specialist", now + timedelta(hours=3)),
        (Status.PROCESSING, org.department, "specialist", now + timedelta(days=9)),
        (Status.PROCESSING, org.department, "unit_head", now - timedelta(days=1)),
        (Status.SUPPLEMENT_REQUESTED, org.department, "specialist", now - timedelta(days=2)),
        (Status.AWAITING_PAYMENT, org.desk, "desk", now + timedelta(hours=1)),
        (Status.PROCESSED, org.desk, "desk", now - timedelta(days=3)),
        (Status.WITHDRAWAL_REQUESTED, org.department, "specialist", now + timedelta(hours=2)),
        (Status.RETURNED, org.desk, "desk", now - timedelta(days=5)),
    ]
    for i, (status, unit, role, due) in enumerate(layout):
        dossier = make_submitted_dossier(procedure, citizen, plate=f"75A-000.{i:02d}")
        Dossier.objects.filter(pk=dossier.pk).update(
            status=status, current_unit=unit, current_role=role, due_at=due
        )
    for officer in (org.desk_officer, org.specialist, org.head, both):
        counts = inbox_counts(officer)
        for name in ("new", "todo", "due_soon", "overdue", "waiting", "all"):
            if name != "all":
                assert counts[name] == queues.queue(officer, name).count(), (officer, name)
            # The page's own SQL read gives the queue's rows, in its order, page by page.
            for order in ("due", "-due", "submitted", "-submitted"):
                for status in (None, Status.PROCESSING):
                    want = [d.pk for d in queues.queue(officer, name, order=order, status=status)]
                    for start in (0, 2):
                        got, more = queues.queue_rows(
                            officer, name, start=start, size=2, order=order, status=status
                        )
                        assert [r.pk for r in got] == want[start : start + 2], (name, order)
                        assert more == (len(want) > start + 2), (name, order, start)
    assert inbox_counts(both)["overdue"] == 2
    rows, _more = queues.queue_rows(both, "todo", start=0, size=25, procedure_id=procedure.pk)
    assert len(rows) == queues.queue(both, "todo").count() == 5
    assert rows[0].url.startswith("/officer/dossiers/")
    assert (
        queues.queue_rows(both, "todo", start=0, size=25, procedure_id=procedure.pk + 99)[0] == []
    )


def test_counts_come_from_the_cache_and_follow_every_change(
    clock, org, procedure, citizen, django_assert_num_queries
):
    from datetime import timedelta

    from motcua.factories import make_submitted_dossier
    from motcua.workflow.models import Task

    clock.set(2025, 11, 10, 10, 0)
    first = make_submitted_dossier(procedure, citizen)
    assert inbox_counts(org.desk_officer)["new"] == 1
    assert inbox_counts(org.specialist)["todo"] == 0
    with django_assert_num_queries(0):  # both units' counts are kept
        assert inbox_counts(org.desk_officer)["new"] == 1
        assert inbox_counts(org.specialist)["todo"] == 0
    # The hand-over takes the dossier out of the desk's count and into the specialist's.
    perform(dossier_id=first.pk, action="accept", actor=org.desk_officer)
    assert inbox_counts(org.desk_officer)["new"] == 0
    assert inbox_counts(org.specialist)["todo"] == 1
    make_submitted_dossier(procedure, citizen)
    assert inbox_counts(org.desk_officer)["new"] == 1
    # A consultation sent to the desk counts there at once, and leaves the count when answered.
    task = Task.objects.create(
        dossier=first,
        kind=Task.Kind.CONSULT,
        unit=org.desk,
        request="Xin ý kiến",
        due_at=clock.current + timedelta(days=3),
        created_by=org.specialist,
    )
    assert inbox_counts(org.desk_officer)["tasks"] == 1
    task.state = Task.State.ANSWERED
    task.save()
    assert inbox_counts(org.desk_officer)["tasks"] == 0
    # What changes with the clock alone is recounted once the kept counts are too old.
    assert inbox_counts(org.specialist)["overdue"] == 0
    clock.set(2025, 11, 20, 9, 0)
    assert inbox_counts(org.specialist)["overdue"] == 1


def test_counts_without_the_cache(settings, org, dossier, django_assert_num_queries):
    settings.INBOX_COUNTS_SECONDS = 0
    assert inbox_counts(org.desk_officer)["new"] == 1
    with django_assert_num_queries(1):  # counted again on every page
        assert inbox_counts(org.desk_officer)["new"] == 1
