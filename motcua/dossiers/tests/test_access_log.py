"""Every view of a dossier's personal data by an officer is on record (issue 12, item 15):
who, when, what, for which unit and why; the applicant sees who has seen their dossier;
administrators search the log and cannot change it."""

import re

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.models import Role
from motcua.accounts.testing import login_officer
from motcua.core import chain
from motcua.documents.models import IssuedDocument
from motcua.dossiers import access, access_log
from motcua.dossiers.models import AccessRecord, Attachment
from motcua.factories import AgencyFactory, UnitFactory
from motcua.payments.models import Receipt
from motcua.results.models import ResultDocument
from motcua.workflow.models import Task
from motcua.workflow.tests.test_page_reads import dossier_with_everything
from motcua.workflow.tests.test_views import DEFINITION, office_procedure, submitted_dossier

Kind, Purpose = AccessRecord.Kind, AccessRecord.Purpose


@pytest.fixture(autouse=True)
def _quick_pdfs(monkeypatch):
    # The control sheet's WeasyPrint rendering is the documents app's concern.
    monkeypatch.setattr("motcua.documents.services.control_sheet_pdf", lambda dossier: b"%PDF-")


@pytest.fixture
def full(make_organisation):
    """A dossier that went all the way to its result (files, documents, a receipt, a result),
    with a unit of another agency consulted on it."""
    dossier = dossier_with_everything(make_organisation)
    other = AgencyFactory(name="Công an tỉnh")
    consulted = UnitFactory(agency=other, name="Phòng Cảnh sát giao thông")
    Task.objects.create(
        dossier=dossier,
        kind=Task.Kind.CONSULT,
        unit=consulted,
        request="Xác minh xe",
        due_at=timezone.now() + timezone.timedelta(days=2),
        created_by=dossier.registered_by,
    )
    access.grant_for_task(dossier, consulted)
    return dossier, consulted


def _views(dossier) -> list[tuple[str, str, int | None]]:
    """Every officer page or file of this dossier that shows personal data: (url, kind, id)."""
    attachment = Attachment.objects.filter(dossier=dossier).first()
    document = IssuedDocument.objects.filter(dossier=dossier).first()
    result = ResultDocument.objects.get(dossier=dossier)
    receipt = Receipt.objects.get(payment__dossier=dossier)
    return [
        (reverse("workflow:dossier", args=[dossier.uuid]), Kind.DOSSIER, None),
        (reverse("workflow:action", args=[dossier.uuid, "stop"]), Kind.DOSSIER, None),
        (
            reverse("workflow:attachment_preview", args=[dossier.uuid, attachment.pk]),
            Kind.ATTACHMENT,
            attachment.pk,
        ),
        (
            reverse("workflow:attachment", args=[dossier.uuid, attachment.pk]),
            Kind.ATTACHMENT,
            attachment.pk,
        ),
        (reverse("documents:html", args=[dossier.uuid, document.pk]), Kind.DOCUMENT, document.pk),
        (reverse("documents:pdf", args=[dossier.uuid, document.pk]), Kind.DOCUMENT, document.pk),
        (reverse("documents:control_sheet", args=[dossier.uuid]), Kind.CONTROL_SHEET, None),
        (reverse("results:download", args=[result.pk]), Kind.RESULT, result.pk),
        (reverse("payments:receipt", args=[dossier.uuid, receipt.pk]), Kind.RECEIPT, receipt.pk),
    ]


def test_five_officers_one_consulted_each_view_writes_one_record(
    client, full, make_officer, django_capture_on_commit_callbacks
):
    dossier, consulted = full
    office_agency = dossier.receiving_agency
    desk = dossier.current_unit
    units = {u.name: u for u in dossier.procedure.agency.units.all()}
    officers = [
        (dossier.registered_by, desk, Purpose.HANDLING),  # the desk holds it for return
        (
            make_officer(office_agency, (units["Phòng Quản lý vận tải"], Role.SPECIALIST)),
            None,
            None,
        ),
        (make_officer(office_agency, (units["Lãnh đạo Sở"], Role.LEADER)), None, None),
        (make_officer(office_agency, (desk, Role.AGENCY_ADMIN)), desk, Purpose.SUPERVISION),
        (
            make_officer(consulted.agency, (consulted, Role.SPECIALIST), full_name="Đỗ Văn Tâm"),
            consulted,
            Purpose.CONSULTATION,
        ),
    ]
    for officer, unit, purpose in officers:
        unit = unit or officer.memberships.get().unit
        purpose = purpose or Purpose.HANDLING
        login_officer(client, officer)
        for url, kind, object_id in _views(dossier):
            before = AccessRecord.objects.count()
            response = client.get(url)
            assert response.status_code == 200, url
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            added = list(
                AccessRecord.objects.order_by("-id")[: AccessRecord.objects.count() - before]
            )
            assert len(added) == 1, (officer.full_name, url)
            record = added[0]
            assert (record.actor, record.dossier_id, record.kind, record.object_id) == (
                officer,
                dossier.pk,
                kind,
                object_id,
            ), url
            assert (record.unit, record.unit_name, record.purpose) == (unit, unit.name, purpose)
            assert record.role == officer.memberships.get().role
            assert record.channel == AccessRecord.Channel.WEB
            assert record.ip_address == "127.0.0.1"
        client.logout()
    assert AccessRecord.objects.count() == 5 * len(_views(dossier))


def test_what_was_viewed_is_named(client, full):
    dossier, _consulted = full
    login_officer(client, dossier.registered_by)
    attachment = Attachment.objects.filter(dossier=dossier).first()
    document = IssuedDocument.objects.filter(dossier=dossier).first()
    client.get(reverse("workflow:attachment_preview", args=[dossier.uuid, attachment.pk]))
    client.get(reverse("documents:html", args=[dossier.uuid, document.pk]))
    labels = list(AccessRecord.objects.order_by("id").values_list("label", flat=True))
    assert labels == [attachment.original_name, f"{document.get_kind_display()} {document.number}"]


def test_an_officer_who_may_not_see_the_dossier_leaves_no_record(client, full, make_officer):
    dossier, _consulted = full
    stranger_unit = UnitFactory(agency=AgencyFactory(), name="Phòng khác")
    stranger = make_officer(stranger_unit.agency, (stranger_unit, Role.SPECIALIST))
    login_officer(client, stranger)
    for url, _kind, _id in _views(dossier):
        assert client.get(url).status_code == 404, url
    assert not AccessRecord.objects.exists()


def test_the_applicant_viewing_their_own_dossier_is_not_recorded(client, full):
    dossier, _consulted = full
    # A counter dossier: give the walk-in applicant a login to look at it online.
    applicant = dossier.applicant
    client.force_login(applicant)
    document = IssuedDocument.objects.filter(dossier=dossier, addressed_to_applicant=True).first()
    result = ResultDocument.objects.get(dossier=dossier)
    receipt = Receipt.objects.get(payment__dossier=dossier)
    for url in (
        reverse("dossiers:detail", args=[dossier.uuid]),
        reverse("documents:pdf", args=[dossier.uuid, document.pk]),
        reverse("results:download", args=[result.pk]),
        reverse("payments:receipt", args=[dossier.uuid, receipt.pk]),
    ):
        assert client.get(url).status_code == 200, url
    assert not AccessRecord.objects.exists()


@pytest.fixture
def office(make_organisation):
    return make_organisation(office_procedure(), DEFINITION)


def test_the_applicant_sees_who_has_seen_their_dossier(client, office, citizen, make_officer):
    dossier = submitted_dossier(office, citizen)
    other = AgencyFactory(name="Công an tỉnh")
    consulted = UnitFactory(agency=other, name="Phòng Cảnh sát giao thông")
    access.grant_for_task(dossier, consulted)
    police = make_officer(other, (consulted, Role.SPECIALIST), full_name="Đỗ Văn Tâm")
    login_officer(client, office.desk_officer)
    client.get(reverse("workflow:dossier", args=[dossier.uuid]))
    login_officer(client, police)
    client.get(reverse("workflow:dossier", args=[dossier.uuid]))
    attachment = dossier.attachments.first()
    client.get(reverse("workflow:attachment_preview", args=[dossier.uuid, attachment.pk]))
    client.get(reverse("workflow:attachment", args=[dossier.uuid, attachment.pk]))

    client.force_login(citizen)
    response = client.get(reverse("dossiers:detail", args=[dossier.uuid]))
    assert response.status_code == 200
    body = response.content.decode()
    section = body[body.index('id="seen-by"') :]
    assert "Ai đã xem hồ sơ của tôi" in section
    rows = re.findall(r"<tr>(.*?)</tr>", section, re.S)[1:]
    # Newest first; the preview and the file it frames, in the same minute, are one line.
    assert len(rows) == 3
    assert "Phòng Cảnh sát giao thông" in rows[0] and "Công an tỉnh" in rows[0]
    assert "Phối hợp giải quyết" in rows[0] and attachment.original_name in rows[0]
    assert "Trang hồ sơ" in rows[1]
    assert "Bộ phận Một cửa" in rows[2] and "Cán bộ một cửa" in rows[2]
    assert "Giải quyết hồ sơ" in rows[2]
    record = AccessRecord.objects.filter(actor=office.desk_officer).get()
    when = timezone.localtime(record.at).strftime("%d/%m/%Y %H:%M")
    assert f">{when}</time>" in rows[2]
    # Units and roles, not the officers' names (decision 37).
    assert "Đỗ Văn Tâm" not in section and office.desk_officer.full_name not in section


def test_the_list_of_views_is_paged(client, office, citizen):
    dossier = submitted_dossier(office, citizen)
    for n in range(25):
        access_log.record_view(
            actor=office.desk_officer,
            kind=Kind.ATTACHMENT,
            dossier=dossier,
            object_id=n,
            label=f"tep-{n}.pdf",
        )
    client.force_login(citizen)
    url = reverse("dossiers:detail", args=[dossier.uuid])
    first = client.get(url).content.decode()
    assert "tep-24.pdf" in first and "tep-5.pdf" in first and "tep-4.pdf" not in first
    assert "?seen_page=2#seen-by" in first
    second = client.get(url + "?seen_page=2").content.decode()
    assert "tep-4.pdf" in second and "tep-0.pdf" in second and "tep-5.pdf" not in second
    for page in ("x", "0", "-3", "99999999999999999999999"):
        assert client.get(url, {"seen_page": page}).status_code == 200


def test_nothing_seen_yet_says_so(client, office, citizen):
    dossier = submitted_dossier(office, citizen)
    client.force_login(citizen)
    body = client.get(reverse("dossiers:detail", args=[dossier.uuid])).content.decode()
    assert "Chưa có cán bộ nào xem hồ sơ này." in body


def test_the_list_speaks_english_too(client, office, citizen):
    dossier = submitted_dossier(office, citizen)
    access_log.record_view(actor=office.specialist, kind=Kind.DOSSIER, dossier=dossier)
    client.force_login(citizen)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("dossiers:detail", args=[dossier.uuid])).content.decode()
    assert "Who has viewed my dossier" in body
    assert "Dossier page" in body and "Handling the dossier" in body


def test_a_search_and_the_tracking_book_are_recorded_once_without_a_dossier(
    client, office, citizen
):
    submitted_dossier(office, citizen)
    login_officer(client, office.desk_officer)
    client.get(reverse("workflow:inbox"))  # the officer's own queue: not recorded
    assert not AccessRecord.objects.exists()
    client.get(reverse("workflow:inbox"), {"q": "079190012345"})
    year = timezone.localdate().year
    client.get(reverse("documents:tracking_book"))
    client.get(reverse("documents:tracking_book_xlsx", args=[office.desk.pk, year]))
    records = list(AccessRecord.objects.order_by("id"))
    assert [(r.kind, r.dossier_id, r.actor) for r in records] == [
        (Kind.SEARCH, None, office.desk_officer),
        (Kind.TRACKING_BOOK, None, office.desk_officer),
        (Kind.TRACKING_BOOK, None, office.desk_officer),
    ]
    assert records[0].label == "079190012345"
    assert records[2].label == f"{office.desk.name} {year} (Excel)"
    assert {r.unit for r in records} == {office.desk}


def test_an_officer_of_several_units_acts_for_the_one_holding_the_dossier(
    office, citizen, make_officer
):
    dossier = submitted_dossier(office, citizen)  # at the desk
    both = make_officer(
        office.agency,
        (office.department, Role.SPECIALIST),
        (office.desk, Role.AGENCY_ADMIN),
        (office.desk, Role.DESK),
    )
    membership, purpose = access_log.acting_for(both, dossier)
    assert (membership.unit, membership.role, purpose) == (office.desk, Role.DESK, "handling")
    dossier.current_unit, dossier.current_role = office.leadership, Role.LEADER
    membership, purpose = access_log.acting_for(both, dossier)
    assert (membership.unit, purpose) == (office.department, "handling")
    admin_only = make_officer(office.agency, (office.desk, Role.AGENCY_ADMIN))
    membership, purpose = access_log.acting_for(admin_only, dossier)
    assert (membership.unit, purpose) == (office.desk, "supervision")


def test_a_label_keeps_no_nul_byte(office, citizen):
    record = access_log.record_view(
        actor=office.desk_officer, kind=Kind.SEARCH, label="0791\x0090012345"
    )
    assert AccessRecord.objects.get(pk=record.pk).label == "079190012345"


def test_an_integrator_is_recorded_on_its_channel(office, citizen):
    dossier = submitted_dossier(office, citizen)
    record = access_log.record_view(
        actor=None,
        kind=Kind.DOSSIER,
        dossier=dossier,
        channel=AccessRecord.Channel.API,
        purpose=Purpose.HANDLING,
    )
    record.refresh_from_db()
    assert (record.channel, record.actor, record.unit, record.dossier) == (
        "api",
        None,
        None,
        dossier,
    )


# --- Administrators ------------------------------------------------------------------------


def test_the_admin_finds_views_by_dossier_code_and_officer_email(
    client, office, citizen, make_officer
):
    dossier = submitted_dossier(office, citizen)
    another = submitted_dossier(office, citizen)
    login_officer(client, office.desk_officer)
    client.get(reverse("workflow:dossier", args=[dossier.uuid]))
    login_officer(client, office.admin)
    client.get(reverse("workflow:dossier", args=[another.uuid]))
    admin = make_officer(is_staff=True, is_superuser=True)
    login_officer(client, admin)
    url = reverse("admin:dossiers_accessrecord_changelist")
    body = client.get(url, {"q": dossier.code}).content.decode()
    assert dossier.code in body and another.code not in body
    body = client.get(url, {"q": office.admin.email}).content.decode()
    assert another.code in body and dossier.code not in body
    body = client.get(url, {"unit__id__exact": office.desk.pk, "kind": "dossier"}).content
    assert dossier.code in body.decode() and "Cán bộ một cửa" in body.decode()


def test_the_admin_cannot_add_change_or_delete_records(client, office, citizen, make_officer):
    dossier = submitted_dossier(office, citizen)
    record = access_log.record_view(actor=office.desk_officer, kind=Kind.DOSSIER, dossier=dossier)
    admin = make_officer(is_staff=True, is_superuser=True)
    login_officer(client, admin)
    change = reverse("admin:dossiers_accessrecord_change", args=[record.pk])
    assert client.get(change).status_code == 200  # read only
    assert client.post(change, {"label": "sửa"}).status_code == 403
    assert client.get(reverse("admin:dossiers_accessrecord_add")).status_code == 403
    delete = reverse("admin:dossiers_accessrecord_delete", args=[record.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    record.refresh_from_db()
    assert record.label == ""


def test_the_orm_refuses_to_change_a_record(office, citizen):
    dossier = submitted_dossier(office, citizen)
    record = access_log.record_view(actor=office.desk_officer, kind=Kind.DOSSIER, dossier=dossier)
    with pytest.raises(PermissionError):
        AccessRecord.objects.filter(pk=record.pk).update(label="x")
    with pytest.raises(PermissionError):
        record.delete()


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    "statement",
    ["UPDATE {table} SET label = 'x' WHERE id = %s", "DELETE FROM {table} WHERE id = %s"],
)
def test_postgresql_refuses_to_change_a_record(office, citizen, statement):
    dossier = submitted_dossier(office, citizen)
    record = access_log.record_view(actor=office.desk_officer, kind=Kind.DOSSIER, dossier=dossier)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=AccessRecord._meta.db_table), [record.pk])
    assert AccessRecord.objects.filter(pk=record.pk, label="").exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_postgresql_commits_a_record_alone_without_slowing_other_commits(office, citizen, rf):
    """A page's record is one statement committed on its own, asynchronously; inside a
    transaction (an action's) it commits with it, and that commit stays synchronous."""

    def synchronous_commit():
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    dossier = submitted_dossier(office, citizen)
    assert not connection.in_atomic_block
    request = rf.get("/", REMOTE_ADDR="203.0.113.7")
    written = access_log.record_view(
        actor=office.desk_officer,
        kind=Kind.ATTACHMENT,
        dossier=dossier,
        object_id=42,
        label="căn cước.pdf",
        request=request,
    )
    assert synchronous_commit() == "on"
    read = AccessRecord.objects.get(pk=written.pk)
    for field in AccessRecord._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(written, field.attname), field.name
    assert (read.ip_address, read.unit, read.purpose) == (
        "203.0.113.7",
        office.desk,
        Purpose.HANDLING,
    )
    with transaction.atomic():
        access_log.record_view(actor=office.specialist, kind=Kind.DOSSIER, dossier=dossier)
        assert synchronous_commit() == "on"
    assert AccessRecord.objects.filter(dossier=dossier).count() == 2


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_records_written_in_one_statement_form_a_chain_that_verifies(office, citizen, monkeypatch):
    """The page's one statement links its record into a lane of the hash chain (decision
    0035) like save() does: the chains verify, and a record changed behind the
    application's back is found."""
    alone, insert_alone = [], chain.insert_alone

    def counted(record, **kwargs):
        done = insert_alone(record, **kwargs)
        alone.append(done)
        return done

    monkeypatch.setattr(chain, "insert_alone", counted)
    dossier = submitted_dossier(office, citizen)
    written = [
        access_log.record_view(actor=officer, kind=Kind.DOSSIER, dossier=dossier)
        for officer in (office.desk_officer, office.specialist) * 5
    ]
    # The first makes the lanes through save(); the others take one statement each.
    assert alone.count(True) >= 9
    assert chain.verify(AccessRecord)[1] == []
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {AccessRecord._meta.db_table} DISABLE TRIGGER ALL")
        cursor.execute(
            f"UPDATE {AccessRecord._meta.db_table} SET purpose = 'supervision' WHERE id = %s",  # noqa: S608
            [written[3].pk],
        )
        cursor.execute(f"ALTER TABLE {AccessRecord._meta.db_table} ENABLE TRIGGER ALL")
    problems = chain.verify(AccessRecord)[1]
    assert [p.row_id for p in problems] == [written[3].pk]
