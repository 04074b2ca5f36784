"""What the officer pages read and keep: the workflow versions held per process, the second
factor checked on every request, the memberships, and the dossier page's plain reads."""

import dataclasses
from decimal import Decimal

import pytest
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from motcua.accounts.models import Membership, Role, Unit, User
from motcua.accounts.testing import login_officer
from motcua.catalogue.models import Procedure
from motcua.documents.models import IssuedDocument
from motcua.dossiers import access
from motcua.dossiers.messages import ThreadFile, ThreadMessage
from motcua.dossiers.models import (
    Attachment,
    Dossier,
    DossierEvent,
    DossierMessage,
    DossierMessageAttachment,
    choice_label,
)
from motcua.dossiers.tests.helpers import pdf
from motcua.factories import UnitFactory
from motcua.payments.models import Charge
from motcua.results.models import ResultDocument
from motcua.workflow import dossier_page, machine, services
from motcua.workflow.models import Comment, Task, Workflow
from motcua.workflow.tests.test_views import (
    DEFINITION,
    dossier_url,
    office_procedure,
    submitted_dossier,
)

INBOX = "/officer/"

# What recording a view costs inside a transaction (see the dossier page's test).
RECORD_STATEMENTS = 3


@pytest.fixture
def office(make_organisation):
    return make_organisation(office_procedure(), DEFINITION)


def dossier_with_everything(make_organisation) -> Dossier:
    """A paper dossier taken at the counter that went all the way to its result, with
    something in every part of its page: the applicant's address and the officer who
    registered it, three files of two components, events with and without an actor (the fee charged at
    submission), comments, an answered consultation and an open task, a charge paid, the
    documents it issued and its result."""
    procedure = office_procedure()
    procedure.fee_vnd = 135_000
    procedure.save()
    office = make_organisation(procedure, {**DEFINITION, "payment_due": "submission"})
    required = procedure.components.get(requirement="required")
    optional = procedure.components.get(requirement="optional")
    dossier = services.register_counter_dossier(
        officer=office.desk_officer,
        procedure=procedure,
        person=services.WalkInApplicant(
            full_name="Lê Văn Bình",
            citizen_id="046090001234",
            phone="0905123456",
            address="12 Lê Lợi, thành phố Huế",
        ),
        channel=Dossier.Channel.COUNTER,
        files={
            required.pk: [pdf("don-de-nghi.pdf"), pdf("trang-2.pdf")],
            optional.pk: [pdf("dang-ky-xe.pdf")],
        },
    )

    def perform(action, actor, data=None):
        return machine.perform(dossier_id=dossier.pk, action=action, actor=actor, data=data)

    perform("confirm_payment", office.desk_officer)
    perform("accept", office.desk_officer, machine.NoteInput(note="Đủ giấy tờ"))
    Comment.objects.create(dossier=dossier, author=office.desk_officer, text="Bản gốc ở tủ 3")
    consult = machine.OpenTasksInput(
        unit_ids=(office.leadership.pk,), days=Decimal(1), request="Xin ý kiến về niên hạn xe"
    )
    perform("consult", office.specialist, consult)
    answered = Task.objects.get(dossier=dossier)
    machine.answer_task(task_id=answered.pk, actor=office.leader, answer="Đồng ý")
    Comment.objects.create(dossier=dossier, author=office.specialist, text="<b>Đã</b> xem")
    # The conversation with the applicant: a question with two files, an answer read.
    question = DossierMessage.objects.create(
        dossier=dossier, author=dossier.applicant, from_applicant=True, text="Khi nào xong?"
    )
    for name, size in (("anh-1.jpg", 2048), ("don.pdf", 512)):
        DossierMessageAttachment.objects.create(
            message=question,
            dossier=dossier,
            file=f"messages/{name}",
            original_name=name,
            content_type="application/pdf",
            size=size,
            sha256="0" * 64,
        )
    DossierMessage.objects.create(
        dossier=dossier,
        author=office.specialist,
        from_applicant=False,
        unit=office.department,
        unit_name=office.department.name,
        text="Trong tuần này.",
        read_at=question.created_at,
    )
    perform("forward", office.specialist, machine.NoteInput(note="Đủ điều kiện"))
    perform("approve", office.leader)
    # Asked and not answered yet (the machine lets no task open at this step: written here).
    Task.objects.create(
        dossier=dossier,
        kind=Task.Kind.TRANSFER,
        unit=office.desk,
        request="Xác minh đăng ký xe",
        due_at=answered.due_at,
        created_by=office.desk_head,
    )
    return dossier_page.officer_dossier(office.leader, dossier.uuid)


# --- Workflow versions held in memory -------------------------------------------------------


def test_a_workflow_version_is_read_once_per_process(office, django_assert_num_queries):
    workflow = Workflow.objects.get(procedure=office.procedure)
    dossier_page.forget_workflow(Workflow, workflow)
    with django_assert_num_queries(1):
        first = dossier_page.workflow_version(workflow.pk)
    with django_assert_num_queries(0):
        again = dossier_page.workflow_version(workflow.pk)
    assert again.definition == workflow.definition
    assert not again._state.adding
    # A new instance each time: nothing a page sets on it is seen by the next page.
    assert again is not first


def test_saving_or_deleting_a_workflow_row_drops_its_copy(office):
    workflow = Workflow.objects.get(procedure=office.procedure)
    assert dossier_page.workflow_version(workflow.pk).steps[0]["key"] == "reception"
    # Versions are never edited by the application; a row written again under the same id
    # (as after a rolled-back test, or a restored database) must not be served stale.
    workflow.definition = {**workflow.definition, "steps": workflow.definition["steps"][1:]}
    workflow.save()
    assert dossier_page.workflow_version(workflow.pk).steps[0]["key"] == "review"
    pk = workflow.pk
    Workflow.objects.filter(pk=pk).delete()  # a queryset delete still sends post_delete
    assert pk not in dossier_page._workflows


def test_the_dossier_page_follows_the_dossiers_own_version(client, office, citizen):
    dossier = submitted_dossier(office, citizen)
    login_officer(client, office.desk_officer)
    assert client.get(dossier_url(dossier)).context["step"]["name"] == "Tiếp nhận hồ sơ"
    # A new version for new dossiers; this dossier keeps the one it was submitted under.
    changed = Workflow.objects.get(procedure=office.procedure).definition
    changed["steps"][0]["name"] = "Tiếp nhận (mới)"
    from motcua.workflow.services import save_workflow_version

    save_workflow_version(office.procedure, changed)
    assert client.get(dossier_url(dossier)).context["step"]["name"] == "Tiếp nhận hồ sơ"
    newer = submitted_dossier(office, citizen)
    assert client.get(dossier_url(newer)).context["step"]["name"] == "Tiếp nhận (mới)"


# --- The second factor, checked on every request --------------------------------------------


def test_a_deleted_authenticator_ends_the_verified_session(client, office):
    device = login_officer(client, office.desk_officer)
    assert client.get(INBOX).status_code == 200
    device.delete()
    response = client.get(INBOX)
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_an_unconfirmed_authenticator_does_not_count(client, office):
    device = login_officer(client, office.desk_officer)
    assert client.get(INBOX).status_code == 200  # its answer is now cached
    device.confirmed = False
    device.save()
    assert client.get(INBOX).status_code == 302


def test_another_officers_device_in_the_session_does_not_count(client, office):
    login_officer(client, office.desk_officer)
    other = login_officer(client, office.specialist)
    client.force_login(office.desk_officer)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = other.persistent_id
    session.save()
    assert client.get(INBOX).status_code == 302


@pytest.mark.parametrize(
    "persistent_id",
    ["nonsense", "otp_totp.totpdevice/abc", "no_such_app.device/1", "accounts.user/1"],
)
def test_a_malformed_device_id_is_refused_quietly(client, office, persistent_id):
    login_officer(client, office.desk_officer)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = persistent_id
    session.save()
    assert client.get(INBOX).status_code == 302


def test_a_recovery_code_device_counts(client, office):
    client.force_login(office.desk_officer)
    device = StaticDevice.objects.create(
        user=office.desk_officer, name="Mã khôi phục", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    response = client.get(INBOX)
    assert response.status_code == 200
    assert response.wsgi_request.user.otp_device.pk == device.pk


# --- Memberships ----------------------------------------------------------------------------


def test_memberships_are_the_active_units_with_their_unit_read_once(
    office, django_assert_num_queries
):
    officer = office.desk_officer
    closed = UnitFactory(agency=office.agency, code="cu", name="Cũ", kind=Unit.Kind.DESK)
    Membership.objects.create(user=officer, unit=closed, role=Role.DESK)
    closed.is_active = False
    closed.save()
    Membership.objects.create(user=officer, unit=office.leadership, role=Role.UNIT_HEAD)
    with django_assert_num_queries(1):
        mine = access.memberships(officer)
        assert [(m.unit_id, m.role) for m in mine] == [
            (office.desk.pk, Role.DESK),
            (office.leadership.pk, Role.UNIT_HEAD),
        ]
        assert [m.unit.name for m in mine] == [office.desk.name, office.leadership.name]
        assert mine[0].unit.agency_id == office.agency.pk
        assert mine[0].unit.kind == Unit.Kind.DESK
        access.memberships(officer)
    assert not mine[0]._state.adding


# --- The dossier page's reads ---------------------------------------------------------------


def test_the_dossier_page_reads_a_fixed_number_of_queries(
    client, office, citizen, django_assert_num_queries
):
    dossier = submitted_dossier(office, citizen)
    machine.perform(
        dossier_id=dossier.pk,
        action="accept",
        actor=office.desk_officer,
        data=machine.NoteInput(note="Đủ giấy tờ"),
    )
    for text in ("Một", "Hai", "Ba"):
        Comment.objects.create(dossier=dossier, author=office.desk_officer, text=text)
    login_officer(client, office.specialist)
    url = dossier_url(dossier)
    assert client.get(url).status_code == 200
    # The dossier if the officer may see it (with whether
    # anything was charged or issued: nothing was, so the payment and result panels read
    # nothing), the applicant, attachments, events, comments, the conversation with the
    # applicant (decision 0044), tasks, documents (the workflow
    # version is held in memory; the user, their device and memberships are cached), and the
    # access record: in the test's transaction three statements (claim a lane of its hash
    # chain, move the lane's head, INSERT); a page in production writes it in one
    # (chain.insert_alone), tested in dossiers/tests/test_access_log.py; the
    # notifications that failed to reach the applicant (notifications' panel) and the
    # components obtained from a register (dossiers' panel, decision 0079)
    with django_assert_num_queries(10 + RECORD_STATEMENTS):
        body = client.get(url).content.decode()
    assert "Một" in body and "Ba" in body and "Đủ giấy tờ" in body


def test_the_dossier_page_escapes_what_people_typed(client, office, citizen, make_officer):
    dossier = submitted_dossier(office, citizen)
    officer = make_officer(office.agency, (office.desk, Role.DESK), full_name="<b>Cán bộ</b>")
    Comment.objects.create(dossier=dossier, author=officer, text="<script>alert(1)</script>")
    machine.perform(
        dossier_id=dossier.pk,
        action="accept",
        actor=office.desk_officer,
        data=machine.NoteInput(note="<i>ghi chú</i>"),
    )
    login_officer(client, office.desk_officer)
    body = client.get(dossier_url(dossier)).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&lt;b&gt;Cán bộ&lt;/b&gt;" in body
    assert "&lt;i&gt;ghi chú&lt;/i&gt;" in body
    assert reverse("workflow:comment", args=[dossier.uuid]) in body


def test_the_dossier_pages_read_gives_what_the_orm_would(office, citizen):
    """officer_dossier reads in SQL: every field converted as the ORM converts it (UUIDs,
    JSON, datetimes, on SQLite and PostgreSQL alike), with its procedure and unit."""
    dossier = submitted_dossier(office, citizen)
    machine.perform(dossier_id=dossier.pk, action="accept", actor=office.desk_officer)
    expected = Dossier.objects.select_related("procedure", "current_unit").get(pk=dossier.pk)
    read = dossier_page.officer_dossier(office.specialist, dossier.uuid)
    for model, got, want in (
        (Dossier, read, expected),
        (type(expected.procedure), read.procedure, expected.procedure),
        (Unit, read.current_unit, expected.current_unit),
    ):
        for field in model._meta.concrete_fields:
            assert getattr(got, field.attname) == getattr(want, field.attname), field.name
    assert read.current_unit == office.department and not read._state.adding
    assert (read.has_charges, read.has_results) == (False, False)
    Charge.objects.create(dossier=dossier, amount=190_000)
    assert dossier_page.officer_dossier(office.specialist, dossier.uuid).has_charges
    # Not one of the units it reached: as if there were no such dossier.
    assert dossier_page.officer_dossier(office.leader, dossier.uuid) is None


def _typed(value):
    """`value` with the type of everything in it: 1 == True, but the page prints them apart."""
    if dataclasses.is_dataclass(value):
        return type(value).__name__, _typed(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {key: _typed(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return type(value).__name__, value


def _officer_dossier_by_orm(dossier_uuid) -> Dossier:
    return (
        Dossier.objects.select_related("procedure", "current_unit")
        .annotate(
            has_charges=Exists(Charge.objects.filter(dossier=OuterRef("pk"))),
            has_results=Exists(ResultDocument.objects.filter(dossier=OuterRef("pk"))),
        )
        .get(uuid=dossier_uuid)
    )


def _page_data_by_orm(dossier: Dossier) -> dict:
    """dossier_page_data as the ORM reads it (values()): what the SQL must give."""
    people = {
        p["id"]: p
        for p in User.objects.filter(
            pk__in={dossier.applicant_id, dossier.registered_by_id or dossier.applicant_id}
        ).values("id", "address", "full_name")
    }
    attachments = (
        Attachment.objects.filter(dossier=dossier)
        .order_by("component_id", "uploaded_at", "id")
        .values(
            "id",
            "component_id",
            "original_name",
            "size",
            "uploaded_at",
            "reused_result_id",
            "origin",
            component_name=F("component__name"),
        )
    )
    events = (
        DossierEvent.objects.filter(dossier=dossier)
        .order_by("at", "id")
        .values(
            "at",
            "action",
            "from_status",
            "to_status",
            "note",
            "unit_name",
            "is_public",
            "from_unit_name",
            "to_unit_name",
            "step_due_at",
            "data",
            "actor_id",
            actor_name=F("actor__full_name"),
        )
    )
    comments = (
        Comment.objects.filter(dossier=dossier)
        .order_by("at", "id")
        .values("at", "text", author_name=F("author__full_name"))
    )
    thread = [
        ThreadMessage(
            pk=m.pk,
            from_applicant=m.from_applicant,
            unit_name=m.unit_name,
            text=m.text,
            created_at=m.created_at,
            read_at=m.read_at,
            author_name=m.author.full_name or "",
            files=[ThreadFile(f.pk, f.original_name, f.size) for f in m.attachments.order_by("id")],
        )
        for m in DossierMessage.objects.filter(dossier=dossier)
        .select_related("author")
        .order_by("created_at", "id")
    ]
    tasks = (
        Task.objects.filter(dossier=dossier)
        .order_by("due_at", "id")
        .values(
            "id",
            "kind",
            "unit_id",
            "request",
            "due_at",
            "state",
            "answer",
            "created_at",
            "answered_at",
            unit_name=F("unit__name"),
            agency_name=F("unit__agency__name"),
            created_by_name=F("created_by__full_name"),
            answered_by_name=F("answered_by__full_name"),
        )
    )
    documents = (
        IssuedDocument.objects.filter(dossier=dossier)
        .order_by("issued_at", "id")
        .values("id", "kind", "number", "issued_at")
    )
    applicant = people.get(dossier.applicant_id)
    registered_by = people.get(dossier.registered_by_id)
    return {
        "applicant_address": applicant["address"] if applicant else "",
        "registered_by": registered_by["full_name"] if registered_by else None,
        "acted_for": "",  # the applicant acted themselves: nothing read (decision 0077)
        "attachments": [{"pk": a.pop("id"), **a} for a in attachments],
        "events": list(events),
        "comments": list(comments),
        "messages": thread,
        "tasks": [
            dossier_page.TaskLine(
                pk=t["id"],
                kind_label=choice_label(Task.Kind, t["kind"]),
                unit_id=t["unit_id"],
                unit_name=t["unit_name"],
                agency_name=t["agency_name"],
                request=t["request"],
                due_at=t["due_at"],
                state=t["state"],
                state_label=choice_label(Task.State, t["state"]),
                answer=t["answer"],
                created_at=t["created_at"],
                created_by_name=t["created_by_name"],
                answered_at=t["answered_at"],
                answered_by_name=t["answered_by_name"] or "",
            )
            for t in tasks
        ],
        "documents": [
            {
                "pk": d["id"],
                "kind_label": choice_label(IssuedDocument.Kind, d["kind"]),
                "number": d["number"],
                "issued_at": d["issued_at"],
            }
            for d in documents
        ],
    }


def test_the_dossier_pages_sql_reads_give_what_the_orm_gives(
    make_organisation, office, citizen, django_assert_num_queries
):
    """Field by field and type by type, on SQLite and PostgreSQL: a dossier with something
    in every part of its page, and one just submitted online (no officer registered it,
    nothing charged, issued, asked or commented yet)."""
    full = dossier_with_everything(make_organisation)
    for dossier, officer in (
        (full, full.registered_by),
        (submitted_dossier(office, citizen), office.desk_officer),
    ):
        want = _officer_dossier_by_orm(dossier.uuid)
        dossier_page.officer_dossier(officer, dossier.uuid)  # the memberships and workflow
        with django_assert_num_queries(1):
            got = dossier_page.officer_dossier(officer, dossier.uuid)
            for model, read, expected in (
                (Dossier, got, want),
                (Procedure, got.procedure, want.procedure),
                (Unit, got.current_unit, want.current_unit),
            ):
                for field in model._meta.concrete_fields:
                    name = field.attname
                    assert _typed(getattr(read, name)) == _typed(getattr(expected, name)), name
                assert (read._state.adding, read._state.db) == (False, expected._state.db)
            assert _typed((got.has_charges, got.has_results)) == _typed(
                (want.has_charges, want.has_results)
            )
        with django_assert_num_queries(7):
            page = dossier_page.dossier_page_data(got)
        assert _typed(page) == _typed(_page_data_by_orm(dossier))
    assert (full.has_charges, full.has_results) == (True, True)
    page = dossier_page.dossier_page_data(full)
    assert {k: len(v) for k, v in page.items() if isinstance(v, list)} == {
        "attachments": 3,
        "events": 9,
        "comments": 2,
        "messages": 2,
        "tasks": 2,
        "documents": 1,
    }
    assert page["registered_by"] and page["applicant_address"]
    assert None in (e["actor_id"] for e in page["events"])
    assert [t.answered_by_name for t in page["tasks"]] == ["Võ Thị Lan", ""]
    assert [[f.original_name for f in m.files] for m in page["messages"]] == [
        ["anh-1.jpg", "don.pdf"],
        [],
    ]


def test_memberships_come_from_the_cache_until_a_membership_or_unit_changes(
    office, django_assert_num_queries
):
    officer = office.desk_officer
    access.memberships(officer)
    officer.__dict__.pop("_motcua_memberships")  # the next request's user
    with django_assert_num_queries(0):
        assert [m.unit_id for m in access.memberships(officer)] == [office.desk.pk]
    added = Membership.objects.create(user=officer, unit=office.leadership, role=Role.UNIT_HEAD)
    officer.__dict__.pop("_motcua_memberships")
    assert [m.unit_id for m in access.memberships(officer)] == [
        office.desk.pk,
        office.leadership.pk,
    ]
    office.leadership.name = "Ban Giám đốc (mới)"
    office.leadership.save()
    officer.__dict__.pop("_motcua_memberships")
    assert access.memberships(officer)[1].unit.name == "Ban Giám đốc (mới)"
    office.leadership.is_active = False
    office.leadership.save()
    officer.__dict__.pop("_motcua_memberships")
    assert [m.unit_id for m in access.memberships(officer)] == [office.desk.pk]
    added.delete()
    office.leadership.is_active = True
    office.leadership.save()
    officer.__dict__.pop("_motcua_memberships")
    assert [m.unit_id for m in access.memberships(officer)] == [office.desk.pk]
