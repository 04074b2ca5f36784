"""A unit consulted by another agency (xin ý kiến) sees the dossier, its personal data and
its files while its task is open, and no longer once it has answered or the task is closed;
the lead keeps the answer (issue 12, item 13; dossiers.access)."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from motcua.accounts.testing import login_officer
from motcua.dossiers.models import Attachment
from motcua.factories import AgencyFactory, UnitFactory
from motcua.workflow.machine import (
    OpenTasksInput,
    ReasonInput,
    TransitionRefused,
    answer_task,
    perform,
)
from motcua.workflow.models import Task

pytestmark = pytest.mark.django_db
QUESTION = "Cho ý kiến về tình trạng đăng ký của xe 75B-012.34"
ANSWER = "Xe không nằm trong danh sách truy tìm"


@pytest.fixture
def police(make_officer):
    """A unit of another agency, and its officer."""
    agency = AgencyFactory(name="Công an tỉnh")
    unit = UnitFactory(
        agency=agency, kind="specialist", code="pc08", name="Phòng Cảnh sát giao thông"
    )
    return unit, make_officer(agency, (unit, "specialist"), full_name="Đặng Văn Công")


@pytest.fixture
def consulted(badge_dossier, org, police):
    """Accepted (the receipt slip issued), with a file, and the police consulted."""
    perform(dossier_id=badge_dossier.pk, action="accept", actor=org.desk_officer)
    attachment = Attachment(
        dossier=badge_dossier,
        component=badge_dossier.procedure.components.first(),
        original_name="giay-de-nghi.pdf",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
        uploaded_by=badge_dossier.applicant,
    )
    attachment.file.save("giay-de-nghi.pdf", ContentFile(b"%PDF-1.4\n"))
    unit, _officer = police
    return perform(
        dossier_id=badge_dossier.pk,
        action="consult",
        actor=org.specialist,
        data=OpenTasksInput(unit_ids=(unit.pk,), days=Decimal(2), request=QUESTION),
    )


def officer_urls(dossier) -> list[str]:
    attachment = dossier.attachments.get()
    document = dossier.documents.first()
    return [
        reverse("workflow:dossier", args=[dossier.uuid]),
        reverse("workflow:attachment_preview", args=[dossier.uuid, attachment.pk]),
        reverse("workflow:attachment", args=[dossier.uuid, attachment.pk]),
        reverse("documents:html", args=[dossier.uuid, document.pk]),
        reverse("documents:pdf", args=[dossier.uuid, document.pk]),
        reverse("documents:control_sheet", args=[dossier.uuid]),
    ]


def statuses(client, urls) -> set[int]:
    return {client.get(url).status_code for url in urls}


def test_the_consulted_unit_sees_the_dossier_only_until_it_answers(client, org, consulted, police):
    unit, officer = police
    urls = officer_urls(consulted)
    login_officer(client, officer)
    assert statuses(client, urls) == {200}
    assert consulted.applicant_name in client.get(urls[0]).content.decode()

    answer_task(task_id=Task.objects.get(unit=unit).pk, actor=officer, answer=ANSWER)
    assert statuses(client, urls) <= {403, 404}
    # The lead unit still has the dossier and the answer.
    login_officer(client, org.specialist)
    lead_page = client.get(urls[0])
    assert lead_page.status_code == 200 and ANSWER in lead_page.content.decode()

    # Nor the result, once there is one.
    result = approve_after_review(consulted, org).results.get()
    login_officer(client, officer)
    assert client.get(reverse("results:download", args=[result.pk])).status_code in (403, 404)


def approve_after_review(dossier, org):
    perform(dossier_id=dossier.pk, action="forward", actor=org.specialist)
    perform(dossier_id=dossier.pk, action="forward", actor=org.head)
    return perform(dossier_id=dossier.pk, action="approve", actor=org.leader)


def test_a_dossier_stopped_before_the_answer_closes_the_task_and_the_access(
    client, org, consulted, police
):
    unit, officer = police
    urls = officer_urls(consulted)
    dossier = perform(
        dossier_id=consulted.pk,
        action="stop",
        actor=org.specialist,
        data=ReasonInput(reason="Người nộp không đủ điều kiện kinh doanh vận tải"),
    )
    assert dossier.open_tasks == 0
    assert Task.objects.get(unit=unit).state == Task.State.CLOSED
    login_officer(client, officer)
    assert statuses(client, urls) <= {403, 404}
    with pytest.raises(TransitionRefused, match="đã đóng"):
        answer_task(task_id=Task.objects.get(unit=unit).pk, actor=officer, answer=ANSWER)


def test_a_unit_that_had_the_dossier_keeps_it_after_answering(client, org, consulted):
    # The desk received the dossier; consulted afterwards, its answer takes nothing away.
    dossier = perform(
        dossier_id=consulted.pk,
        action="consult",
        actor=org.specialist,
        data=OpenTasksInput(unit_ids=(org.desk.pk,), days=Decimal(1), request="Bản gốc?"),
    )
    answer_task(task_id=Task.objects.get(unit=org.desk).pk, actor=org.desk_head, answer="Có")
    login_officer(client, org.desk_head)
    assert statuses(client, officer_urls(dossier)) == {200}


def test_consulted_again_the_unit_sees_it_again_while_the_new_task_is_open(
    client, org, consulted, police
):
    unit, officer = police
    answer_task(task_id=Task.objects.get(unit=unit).pk, actor=officer, answer=ANSWER)
    perform(
        dossier_id=consulted.pk,
        action="consult",
        actor=org.specialist,
        data=OpenTasksInput(unit_ids=(unit.pk,), days=Decimal(1), request="Bổ sung ý kiến"),
    )
    login_officer(client, officer)
    assert statuses(client, officer_urls(consulted)) == {200}


def test_answering_on_the_page_leads_back_to_the_tasks_not_to_a_404(client, consulted, police):
    unit, officer = police
    task = Task.objects.get(unit=unit)
    login_officer(client, officer)
    response = client.post(
        reverse("workflow:answer_task", args=[consulted.uuid, task.pk]),
        {f"task-{task.pk}-answer": ANSWER},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("workflow:inbox") + "?tab=tasks"
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Đã gửi trả lời." in page.content.decode()


def test_the_migration_takes_away_what_answered_units_kept_before(client, org, consulted, police):
    from importlib import import_module

    from django.apps import apps

    from motcua.dossiers.models import DossierAccess

    migration = import_module("motcua.workflow.migrations.0004_task_closed_and_task_access")
    unit, officer = police
    # As the code before left it: answered, and the police's access for good.
    answer_task(task_id=Task.objects.get(unit=unit).pk, actor=officer, answer=ANSWER)
    DossierAccess.objects.create(dossier=consulted, unit=unit)
    login_officer(client, officer)
    assert client.get(officer_urls(consulted)[0]).status_code == 200

    migration.task_access_ends(apps, None)
    assert client.get(officer_urls(consulted)[0]).status_code == 404
    # The receiving agency's own units keep theirs.
    assert DossierAccess.objects.filter(dossier=consulted, unit=org.desk).exists()
