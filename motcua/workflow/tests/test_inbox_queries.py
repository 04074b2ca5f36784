"""The inbox runs a fixed number of queries however many dossiers wait (Zulip's habit)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from motcua.accounts.testing import login_officer
from motcua.dossiers import access
from motcua.dossiers.models import Dossier, Status
from motcua.factories import UserFactory
from motcua.workflow import services
from motcua.workflow.models import Task
from motcua.workflow.tests.test_page_reads import RECORD_STATEMENTS
from motcua.workflow.tests.test_views import DEFINITION, office_procedure

# The procedures filter, the page of rows (the session, its user, their second-factor
# device and memberships come from the cache, and so do the counts: the warm-up request
# counted them)
INBOX_QUERIES = 2
TASKS_QUERIES = 2


def _submitted(office, applicant, n):
    now = timezone.now()
    dossiers = []
    for i in range(n):
        dossier = Dossier.objects.create(
            procedure=office.procedure,
            applicant=applicant,
            receiving_agency=office.agency,
            status=Status.SUBMITTED,
            code=f"{office.agency.identifier}-260101-{i + 1:04d}",
            submitted_at=now - timezone.timedelta(minutes=i),
            applicant_name=f"Người nộp {i}",
            form_data={"vehicles": [{"plate": f"51A-{i:03d}.45"}]},
        )
        services.route_submitted(dossier)
        dossiers.append(dossier)
    return dossiers


def _processing(office, applicant, n):
    """Dossiers accepted and at the specialists' review step, made directly (no PDFs)."""
    now = timezone.now()
    dossiers = _submitted(office, applicant, n)
    for i, dossier in enumerate(dossiers):
        dossier.status = Status.PROCESSING
        dossier.step_key = "review"
        dossier.current_unit = office.department
        dossier.current_role = "specialist"
        dossier.accepted_at = now
        # Some overdue, some due soon, some later: every kind of row.
        dossier.due_at = now + timezone.timedelta(hours=(i % 5 - 2) * 10)
        dossier.extension_count = i % 2
        dossier.save()
        access.grant(dossier, office.department)
    return dossiers


def _warm(client, url):
    # The first request of a test loads the working-day calendar into memory.
    assert client.get(url).status_code == 200


@pytest.fixture
def office(make_organisation):
    return make_organisation(office_procedure(), DEFINITION)


@pytest.mark.parametrize("n", [3, 30])
def test_new_queue_runs_fixed_queries(client, office, django_assert_num_queries, n):
    _submitted(office, UserFactory(), n)
    login_officer(client, office.desk_officer)
    url = reverse("workflow:inbox") + "?tab=new"
    _warm(client, url)
    with django_assert_num_queries(INBOX_QUERIES):
        response = client.get(url)
    assert len(response.context["rows"]) == min(n, 25)
    assert bool(response.context["next_url"]) == (n > 25)


@pytest.mark.parametrize("n", [3, 30])
def test_todo_queue_with_deadlines_runs_fixed_queries(client, office, django_assert_num_queries, n):
    _processing(office, UserFactory(), n)
    login_officer(client, office.specialist)
    url = reverse("workflow:inbox") + "?tab=todo&order=-due"
    _warm(client, url)
    with django_assert_num_queries(INBOX_QUERIES):
        response = client.get(url)
    assert len(response.context["rows"]) == min(n, 25)
    assert all(row.remaining for row in response.context["rows"])


@pytest.mark.parametrize("n", [3, 30])
def test_search_runs_fixed_queries(client, office, django_assert_num_queries, n):
    _submitted(office, UserFactory(), n)
    login_officer(client, office.desk_officer)
    url = reverse("workflow:inbox") + "?q=nguoi+nop"
    _warm(client, url)
    with django_assert_num_queries(INBOX_QUERIES + RECORD_STATEMENTS):  # and the search's record
        response = client.get(url)
    assert len(response.context["rows"]) == min(n, 25)


@pytest.mark.parametrize("n", [3, 30])
def test_tasks_tab_runs_fixed_queries(client, office, django_assert_num_queries, n):
    now = timezone.now()
    for i, dossier in enumerate(_processing(office, UserFactory(), n)):
        Task.objects.create(
            dossier=dossier,
            kind=Task.Kind.CONSULT,
            unit=office.leadership,
            request="Xin ý kiến",
            due_at=now + timezone.timedelta(hours=i - 5),
            created_by=office.specialist,
        )
    login_officer(client, office.leader)
    url = reverse("workflow:inbox") + "?tab=tasks"
    _warm(client, url)
    with django_assert_num_queries(TASKS_QUERIES):
        response = client.get(url)
    assert len(response.context["task_rows"]) == min(n, 25)
