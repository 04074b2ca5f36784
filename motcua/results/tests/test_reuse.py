"""Once-only: an applicant gives an earlier signed result of theirs instead of uploading
(decision 0083)."""

import re
from datetime import timedelta

import pytest

from motcua.accounts.testing import login_officer
from motcua.core.models import AuditEntry
from motcua.dossiers.models import Attachment
from motcua.dossiers.services import dossier_start
from motcua.factories import ComponentFactory, ProcedureFactory
from motcua.results import reuse
from motcua.results.services import revoke_result
from motcua.results.tests.conftest import approve
from motcua.signing.services import verify_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_procedure(badge_procedure):
    """A procedure of the same agency whose "badge" component takes an earlier badge."""
    procedure = ProcedureFactory(
        code="2.000999", agency=badge_procedure.agency, receiving_agency=badge_procedure.agency
    )
    ComponentFactory(procedure=procedure, name="Đơn đề nghị")
    ComponentFactory(
        procedure=procedure, name="Phù hiệu đã được cấp", reusable_results=["2.002288"]
    )
    return procedure


@pytest.fixture
def component(next_procedure):
    return next_procedure.components.get(name="Phù hiệu đã được cấp")


@pytest.fixture
def draft(next_procedure, citizen):
    return dossier_start(procedure=next_procedure, applicant=citizen)


def attachments_page(client, draft) -> str:
    return client.get(f"/dossiers/{draft.uuid}/attachments/").content.decode()


def give(client, draft, component, result_id):
    return client.post(
        f"/dossiers/{draft.uuid}/attachments/reuse/",
        {"component": component.pk, "result": result_id},
    )


def test_the_applicant_sees_their_valid_results_and_gives_one(
    client, approved, draft, component, citizen
):
    client.force_login(citizen)
    page = attachments_page(client, draft)
    assert "Hoặc dùng lại kết quả đã được cấp cho quý vị" in page
    assert f'value="{approved.pk}"' in page and approved.number in page
    # Only the component that accepts it offers it.
    assert page.count('name="result"') == 1
    response = give(client, draft, component, approved.pk)
    assert response.status_code == 302 and response["Location"].endswith(
        f"/attachments/#component-{component.pk}"
    )
    attachment = Attachment.objects.get(dossier=draft)
    assert (attachment.component, attachment.reused_result_id) == (component, approved.pk)
    assert attachment.origin["number"] == approved.number
    assert attachment.origin["agency"] == "Sở Xây dựng thành phố Huế"
    assert attachment.sha256 == approved.sha256 and attachment.content_type == "application/pdf"
    # The copy is the signed document itself: its signature still verifies.
    verdict = verify_pdf(attachment.file.open("rb").read())
    assert verdict.genuine and verdict.document.result_id == approved.pk
    assert AuditEntry.objects.filter(action="attachment.reuse_result").count() == 1
    page = attachments_page(client, draft)
    assert f"Kết quả số {approved.number} đã cấp, tái sử dụng" in page
    assert 'name="result"' not in page  # given already: not offered twice


def test_the_officer_sees_the_result_was_reused(client, approved, draft, component, citizen, org):
    reuse.reuse_result(dossier=draft, component=component, result_id=approved.pk, applicant=citizen)
    # Submitted like any dossier, it reaches the desk with the copy among its files.
    from motcua.dossiers.intake import submit

    draft.delivery_method = "online"
    submitted = submit(dossier=draft, actor=citizen, channel="online", note="Nộp hồ sơ")
    login_officer(client, org.desk_officer)
    page = client.get(f"/officer/dossiers/{submitted.uuid}/").content.decode()
    assert f"Kết quả số {approved.number} đã cấp, tái sử dụng" in page


def test_another_persons_result_answers_404(
    client, approved, next_procedure, component, other_citizen
):
    draft = dossier_start(procedure=next_procedure, applicant=other_citizen)
    client.force_login(other_citizen)
    assert approved.number not in attachments_page(client, draft)
    assert give(client, draft, component, approved.pk).status_code == 404
    assert give(client, draft, component, "not-a-number").status_code == 404
    assert not Attachment.objects.exists()


def test_another_persons_draft_answers_404(client, approved, draft, component, other_citizen):
    client.force_login(other_citizen)
    assert give(client, draft, component, approved.pk).status_code == 404


def test_a_revoked_result_is_neither_offered_nor_taken(
    client, approved, draft, component, citizen, org
):
    revoke_result(result=approved, actor=org.leader, reason="Cấp nhầm xe")
    assert reuse.reusable_results(applicant=citizen, component=component) == []
    client.force_login(citizen)
    assert "chưa có kết quả nào còn hiệu lực" in attachments_page(client, draft)
    response = give(client, draft, component, approved.pk)
    assert response.status_code == 302 and not Attachment.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "đã bị thu hồi" in page


def test_an_expired_result_is_neither_offered_nor_taken(
    approved, draft, component, citizen, monkeypatch
):
    until = reuse.valid_until(approved)
    assert until is not None  # a badge is valid until its vehicle's service life ends
    later = until + timedelta(days=1)
    assert reuse.reusable_results(applicant=citizen, component=component, on=until) == [approved]
    assert reuse.reusable_results(applicant=citizen, component=component, on=later) == []
    # Results are append-only: the day passes instead.
    monkeypatch.setattr(reuse.timezone, "localdate", lambda: later)
    with pytest.raises(reuse.ReuseRefused, match=f"hết hiệu lực từ ngày {until:%d/%m/%Y}"):
        reuse.reuse_result(
            dossier=draft, component=component, result_id=approved.pk, applicant=citizen
        )


def test_a_component_takes_only_the_procedures_it_names(approved, draft, component, citizen):
    other = ComponentFactory(procedure=draft.procedure, name="Khác", reusable_results=["9.999999"])
    assert reuse.reusable_results(applicant=citizen, component=other) == []
    with pytest.raises(reuse.ReuseRefused, match="không nhận"):
        reuse.reuse_result(dossier=draft, component=other, result_id=approved.pk, applicant=citizen)
    anything = ComponentFactory(procedure=draft.procedure, name="Bất kỳ", reusable_results=["*"])
    assert reuse.reusable_results(applicant=citizen, component=anything) == [approved]
    plain = draft.procedure.components.get(name="Đơn đề nghị")
    assert reuse.reusable_results(applicant=citizen, component=plain) == []


def test_the_same_result_twice_is_refused(approved, draft, component, citizen):
    reuse.reuse_result(dossier=draft, component=component, result_id=approved.pk, applicant=citizen)
    with pytest.raises(reuse.ReuseRefused, match="đã có"):
        reuse.reuse_result(
            dossier=draft, component=component, result_id=approved.pk, applicant=citizen
        )
    assert Attachment.objects.count() == 1


def test_a_result_whose_file_changed_is_not_handed_on(approved, draft, component, citizen):
    with approved.pdf.open("wb") as handle:
        handle.write(b"%PDF-1.7\n% not what was signed\n%%EOF\n")
    with pytest.raises(reuse.ReuseRefused, match="Không đọc được"):
        reuse.reuse_result(
            dossier=draft, component=component, result_id=approved.pk, applicant=citizen
        )
    assert not Attachment.objects.exists()


def test_a_submitted_dossier_takes_no_more_files(approved, draft, component, citizen, org):
    from motcua.dossiers.intake import submit

    submit(dossier=draft, actor=citizen, channel="online", note="Nộp hồ sơ")
    with pytest.raises(reuse.ReuseRefused, match="đã nộp"):
        reuse.reuse_result(
            dossier=draft, component=component, result_id=approved.pk, applicant=citizen
        )


def test_a_component_that_reuses_must_take_pdf(component):
    from django.core.exceptions import ValidationError

    component.accepted_types = ["png"]
    with pytest.raises(ValidationError):
        component.clean()
    component.accepted_types = ["pdf"]
    component.reusable_results = "2.002288"
    with pytest.raises(ValidationError):
        component.clean()


def test_a_second_result_is_also_offered(
    client, badge_dossier, org, approved, draft, component, citizen
):
    from motcua.factories import make_submitted_dossier
    from motcua.results.tests.conftest import badge_form, vehicle

    second = make_submitted_dossier(
        badge_dossier.procedure, citizen, form_data=badge_form(vehicle("75B-111.11"))
    )
    newer = approve(second, org).results.get()
    found = reuse.reusable_results(applicant=citizen, component=component)
    assert found == [newer, approved]  # newest first
    client.force_login(citizen)
    page = attachments_page(client, draft)
    assert re.findall(r'name="result" value="(\d+)"', page) == [str(newer.pk), str(approved.pk)]


@pytest.mark.parametrize(
    "codes, offered", [(["2.000999"], False), (["2.000999", "2.002288"], True)]
)
def test_an_agent_is_offered_only_results_of_procedures_their_letter_covers(
    client, approved, draft, component, citizen, codes, offered
):
    """An agent authorised for some procedures only sees and gives the principal's results of
    those procedures (the dossiers they may see), never the others."""
    from django.utils import timezone

    from motcua.accounts.models import Authorisation
    from motcua.accounts.tests.representation_helpers import AGENT_ID, person

    agent = person("Hoàng Văn Dũng", AGENT_ID)
    today = timezone.localdate()
    Authorisation.objects.create(
        principal=citizen,
        citizen_id=AGENT_ID,
        full_name=agent.full_name,
        user=agent,
        all_procedures=False,
        procedure_codes=codes,
        valid_from=today,
        valid_until=today + timedelta(days=30),
        created_by=citizen,
    )
    client.force_login(agent)
    page = attachments_page(client, draft)
    assert (approved.number in page) is offered
    response = give(client, draft, component, approved.pk)
    assert response.status_code == (302 if offered else 404)
    assert Attachment.objects.filter(dossier=draft).exists() is offered
