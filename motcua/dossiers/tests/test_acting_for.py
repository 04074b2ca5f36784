"""Acting for someone on a dossier (decisions 0076 and 0077): a company member applies for
the company, a second member follows the same dossier, an agent acts until their letter of
authorisation ends, and everyone else is refused."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from motcua.accounts import members
from motcua.accounts.models import OrganisationMember
from motcua.accounts.tests.representation_helpers import AGENT_ID, person, staff
from motcua.dossiers import acting, services
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.dossiers.tests.helpers import VALID_FORM, pdf
from motcua.factories import UserFactory

pytestmark = pytest.mark.django_db


def _start(client, procedure, chosen=None):
    data = {"token": str(uuid.uuid4())}
    if chosen is not None:
        data["for"] = chosen
    return client.post(reverse("dossiers:start", args=[procedure.code]), data)


def _fill(dossier, person_acting):
    services.dossier_save_form(dossier=dossier, applicant=person_acting, data=VALID_FORM)
    for component in dossier.procedure.components.filter(requirement="required"):
        services.attachment_add(
            dossier=dossier, component=component, upload=pdf(), applicant=person_acting
        )
    services.dossier_save_delivery(
        dossier=dossier, applicant=person_acting, method="online", postal_address=""
    )


def _submitted_for_company(client, procedure, people):
    client.force_login(people.applicant)
    response = _start(client, procedure, str(people.company.pk))
    dossier = Dossier.objects.get(uuid=response["Location"].split("/")[-2])
    _fill(dossier, people.applicant)
    client.post(reverse("dossiers:submit", args=[dossier.uuid]), {"declaration": "on"})
    dossier.refresh_from_db()
    return dossier


def test_a_member_chooses_for_whom_and_the_draft_is_the_companys(client, procedure):
    people = staff()
    client.force_login(people.applicant)
    choice = _start(client, procedure)
    page = choice.content.decode()
    assert choice.status_code == 200 and "Quý vị nộp hồ sơ cho ai?" in page
    assert "Công ty TNHH Vận tải Hương Giang" in page and "thành viên" in page

    response = _start(client, procedure, str(people.company.pk))
    dossier = Dossier.objects.get()
    assert response["Location"] == reverse("dossiers:detail", args=[dossier.uuid])
    assert dossier.applicant == people.company
    assert dossier.started_by == people.applicant
    assert dossier.acted_via == "member"
    assert dossier.acting_member == OrganisationMember.objects.get(user=people.applicant)


def test_for_myself_keeps_the_person_as_applicant(client, procedure):
    people = staff()
    client.force_login(people.applicant)
    _start(client, procedure, "self")
    dossier = Dossier.objects.get()
    assert dossier.applicant == people.applicant and dossier.acted_via == "self"


def test_a_follower_is_not_offered_the_company_and_cannot_start_for_it(client, procedure):
    people = staff()
    client.force_login(people.follower)
    response = _start(client, procedure, str(people.company.pk))
    # No choice to make: the follower applies only for themselves.
    assert Dossier.objects.get().applicant == people.follower
    assert response.status_code == 302


def test_a_person_without_principals_starts_at_once(client, citizen, procedure):
    client.force_login(citizen)
    assert _start(client, procedure).status_code == 302
    assert Dossier.objects.get().applicant == citizen


def test_the_member_submits_for_the_company_and_the_dossier_records_it(client, procedure):
    people = staff()
    dossier = _submitted_for_company(client, procedure, people)
    assert dossier.status == Status.SUBMITTED
    assert dossier.applicant == people.company
    assert dossier.applicant_name == "Công ty TNHH Vận tải Hương Giang"
    assert dossier.applicant_id_number == "3300123456"
    assert dossier.applicant_email == people.company.email
    assert dossier.submitted_by == people.applicant and dossier.acted_via == "member"
    event = DossierEvent.objects.get(dossier=dossier, action="submitted")
    assert event.actor == people.applicant  # the timeline keeps the real person
    assert acting.acted_for(dossier) == "Nguyễn Minh Khoa (thành viên)"


def test_a_second_member_sees_it_in_my_dossiers_and_the_follower_reads_only(client, procedure):
    people = staff()
    dossier = _submitted_for_company(client, procedure, people)
    for follower in (people.admin, people.follower):
        client.force_login(follower)
        mine = client.get(reverse("dossiers:mine")).content.decode()
        assert dossier.code in mine and "Công ty TNHH Vận tải Hương Giang" in mine
        assert client.get(reverse("dossiers:detail", args=[dossier.uuid])).status_code == 200

    # The follower may read but not act: message, withdraw, pay.
    detail = client.get(reverse("dossiers:detail", args=[dossier.uuid])).content.decode()
    assert "chỉ theo dõi" in detail and "Rút hồ sơ" not in detail
    refused = [
        client.post(reverse("dossiers:message_post", args=[dossier.uuid]), {"text": "Xin chào"}),
        client.get(reverse("applicant:withdraw", args=[dossier.uuid])),
        client.post(reverse("payments:start", args=[dossier.uuid])),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]

    # The administrator may act: the withdraw page opens.
    client.force_login(people.admin)
    assert client.get(reverse("applicant:withdraw", args=[dossier.uuid])).status_code == 200


def test_a_follower_sees_no_drafts_of_the_company(client, procedure):
    people = staff()
    client.force_login(people.applicant)
    _start(client, procedure, str(people.company.pk))
    draft = Dossier.objects.get()
    client.force_login(people.follower)
    assert client.get(reverse("dossiers:detail", args=[draft.uuid])).status_code == 404
    assert str(draft.uuid) not in client.get(reverse("dossiers:mine")).content.decode()
    # The administrator, who may act, continues a colleague's draft.
    client.force_login(people.admin)
    assert client.get(reverse("dossiers:detail", args=[draft.uuid])).status_code == 200


def test_a_stranger_gets_404_everywhere(client, procedure):
    people = staff()
    dossier = _submitted_for_company(client, procedure, people)
    client.force_login(person("Người lạ", "001090012345"))
    for url in (
        reverse("dossiers:detail", args=[dossier.uuid]),
        reverse("dossiers:submitted", args=[dossier.uuid]),
        reverse("applicant:withdraw", args=[dossier.uuid]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("payments:start", args=[dossier.uuid])).status_code == 404
    assert dossier.code not in client.get(reverse("dossiers:mine")).content.decode()


def test_an_ended_membership_cuts_access_at_once(client, procedure):
    people = staff()
    dossier = _submitted_for_company(client, procedure, people)
    member = OrganisationMember.objects.get(user=people.follower)
    members.member_end(member=member, actor=people.company)
    client.force_login(people.follower)
    assert client.get(reverse("dossiers:detail", args=[dossier.uuid])).status_code == 404


def test_an_agent_acts_until_the_authorisation_ends(client, procedure, clock):
    clock.set(2026, 12, 1)
    principal = UserFactory(full_name="Lê Thị Thu Hà", citizen_id="046190012345")
    agent = person("Hoàng Văn Dũng", AGENT_ID)
    authorisation = members.authorisation_create(
        principal=principal,
        citizen_id=AGENT_ID,
        full_name="Hoàng Văn Dũng",
        valid_until=timezone.localdate() + timedelta(days=30),
    )
    client.force_login(agent)
    page = _start(client, procedure).content.decode()
    assert "theo giấy ủy quyền số UQ-" in page and "31/12/2026" in page
    _start(client, procedure, str(principal.pk))
    dossier = Dossier.objects.get()
    assert dossier.applicant == principal and dossier.acting_authorisation == authorisation
    # Prefilled from the principal's profile, not the agent's.
    assert dossier.form_data["applicant"]["full_name"] == "Lê Thị Thu Hà"
    _fill(dossier, agent)
    client.post(reverse("dossiers:submit", args=[dossier.uuid]), {"declaration": "on"})
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED and dossier.submitted_by == agent
    assert acting.acted_for(dossier) == (
        f"Hoàng Văn Dũng (theo giấy ủy quyền số {authorisation.display_number}, đến 31/12/2026)"
    )

    clock.set(2027, 1, 1, 8)
    assert client.get(reverse("dossiers:detail", args=[dossier.uuid])).status_code == 404
    assert dossier.code not in client.get(reverse("dossiers:mine")).content.decode()


def test_an_authorisation_for_some_procedures_does_not_open_the_others(client, procedure):
    principal = UserFactory(full_name="Lê Thị Thu Hà", citizen_id="046190012345")
    agent = person("Hoàng Văn Dũng", AGENT_ID)
    members.authorisation_create(
        principal=principal,
        citizen_id=AGENT_ID,
        full_name="Hoàng Văn Dũng",
        valid_until=timezone.localdate() + timedelta(days=30),
        all_procedures=False,
        procedure_codes=["9.999999"],
    )
    client.force_login(agent)
    _start(client, procedure, str(principal.pk))
    assert Dossier.objects.get().applicant == agent  # not offered: applies for themselves
    draft = services.dossier_start(procedure=procedure, applicant=principal)
    assert client.get(reverse("dossiers:detail", args=[draft.uuid])).status_code == 404


def test_my_dossiers_filters_by_principal(client, procedure):
    people = staff()
    company_dossier = _submitted_for_company(client, procedure, people)
    own = services.dossier_start(procedure=procedure, applicant=people.applicant)
    url = reverse("dossiers:mine")
    page = client.get(f"{url}?principal={people.applicant.pk}").content.decode()
    assert own.uuid.hex[:8] in page.replace("-", "") and company_dossier.code not in page
    page = client.get(f"{url}?principal={people.company.pk}").content.decode()
    assert company_dossier.code in page
    # Someone else's id is ignored: the person's whole list.
    stranger = UserFactory(full_name="Người lạ", citizen_id="")
    page = client.get(f"{url}?principal={stranger.pk}").content.decode()
    assert company_dossier.code in page
