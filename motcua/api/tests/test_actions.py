"""Officer actions through the API: the agency's own system acts for one of its officers,
under the same rules as the officer's page (decision 0072)."""

import pytest

from motcua.api.testing import bearer, make_client, token_for
from motcua.core.models import AuditEntry
from motcua.dossiers.models import DossierEvent, Status
from motcua.factories import (
    AgencyFactory,
    ProcedureFactory,
    make_organisation,
    make_submitted_dossier,
)

pytestmark = pytest.mark.django_db


def act(client, token, dossier, key="k1", **body):
    return client.post(
        f"/api/v1/dossiers/{dossier.uuid}/actions/",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
        **bearer(token),
    )


def accept(client, token, dossier, officer):
    response = act(client, token, dossier, key="accept", action="accept", officer=officer.email)
    assert response.status_code == 200, response.content


def answer(client, token, task, officer, key):
    return client.post(
        f"/api/v1/tasks/{task.pk}/answer/",
        {"officer": officer.email, "answer": "Đồng ý"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
        **bearer(token),
    )


def test_the_desk_officer_sees_accept_and_refuse_with_their_fields(
    client, org, citizen, integrator
):
    _api, token = integrator
    dossier = make_submitted_dossier(org.procedure, citizen)
    response = client.get(
        f"/api/v1/dossiers/{dossier.uuid}/actions/?officer={org.desk_officer.email}",
        **bearer(token),
    )
    assert response.status_code == 200
    actions = {a["name"]: a for a in response.json()["actions"]}
    assert {"accept", "refuse"} <= set(actions)
    assert "approve" not in actions
    assert actions["refuse"]["fields"] == ["reason"]
    assert actions["refuse"]["required"] == ["reason"]
    assert actions["accept"]["issues"] == "receipt"
    again = client.get(
        f"/api/v1/dossiers/{dossier.uuid}/actions/?officer={org.desk_officer.email}",
        HTTP_IF_NONE_MATCH=response["ETag"],
        **bearer(token),
    )
    assert again.status_code == 304
    # The specialist may do nothing on a dossier waiting at the desk.
    specialist = client.get(
        f"/api/v1/dossiers/{dossier.uuid}/actions/?officer={org.specialist.email}",
        **bearer(token),
    )
    assert specialist.json()["actions"] == []


def test_an_integrator_accepts_a_dossier_as_the_desk_officer(client, org, citizen, integrator):
    api_client, token = integrator
    dossier = make_submitted_dossier(org.procedure, citizen)
    response = act(
        client,
        token,
        dossier,
        action="accept",
        officer=org.desk_officer.email,
        expected_version=dossier.version,
        input={"note": "Đủ giấy tờ"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == Status.PROCESSING and body["action"] == "accept"
    assert body["version"] == dossier.version + 1
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and dossier.current_unit == org.department
    event = DossierEvent.objects.filter(dossier=dossier, action="accept").get()
    assert event.actor == org.desk_officer
    entry = AuditEntry.objects.get(action="api.dossier_action")
    assert entry.actor == org.desk_officer
    assert entry.data["api_client"] == api_client.pk
    assert entry.data["dossier_action"] == "accept"
    assert entry.target == f"dossier:{dossier.code}"


def test_an_officer_of_the_wrong_unit_is_refused_with_the_machines_message(
    client, org, citizen, integrator
):
    _api, token = integrator
    dossier = make_submitted_dossier(org.procedure, citizen)
    response = act(
        client,
        token,
        dossier,
        action="accept",
        officer=org.specialist.email,
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert "bạn không được giao bước này" in response.json()["detail"]
    assert "Bộ phận Một cửa" in response.json()["detail"]
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    assert not AuditEntry.objects.filter(action="api.dossier_action").exists()


def test_an_officer_of_another_agency_is_not_one_the_client_may_act_for(
    client, org, citizen, integrator
):
    _api, token = integrator
    other = make_organisation(ProcedureFactory(receiving_agency=AgencyFactory()))
    dossier = make_submitted_dossier(org.procedure, citizen)
    response = act(client, token, dossier, action="accept", officer=other.desk_officer.email)
    assert response.status_code == 403
    unknown = act(client, token, dossier, key="k2", action="accept", officer="ai@example.vn")
    assert unknown.status_code == 403
    assert unknown.json()["detail"] == response.json()["detail"]  # nothing told apart
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED


def test_a_dossier_of_another_agency_is_not_found(client, org, citizen):
    other = make_organisation(ProcedureFactory(receiving_agency=AgencyFactory()))
    theirs = make_submitted_dossier(other.procedure, citizen)
    api_client, secret = make_client(org.agency)
    token = token_for(client, api_client, secret)
    response = act(client, token, theirs, action="accept", officer=other.desk_officer.email)
    assert response.status_code == 404
    listing = client.get(
        f"/api/v1/dossiers/{theirs.uuid}/actions/?officer={org.desk_officer.email}",
        **bearer(token),
    )
    assert listing.status_code == 404


def test_a_replayed_request_does_not_act_twice(client, org, citizen, integrator):
    _api, token = integrator
    dossier = make_submitted_dossier(org.procedure, citizen)
    body = {"action": "accept", "officer": org.desk_officer.email, "input": {"note": ""}}
    first = act(client, token, dossier, key="same", **body)
    second = act(client, token, dossier, key="same", **body)
    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert DossierEvent.objects.filter(dossier=dossier, action="accept").count() == 1
    assert AuditEntry.objects.filter(action="api.dossier_action").count() == 1


def test_a_stale_expected_version_is_a_conflict_that_says_what_changed(
    client, org, citizen, integrator
):
    _api, token = integrator
    dossier = make_submitted_dossier(org.procedure, citizen)
    seen = dossier.version
    accept(client, token, dossier, org.desk_officer)
    response = act(
        client,
        token,
        dossier,
        key="b",
        action="refuse",
        officer=org.desk_officer.email,
        expected_version=seen,
        input={"reason": "Thiếu giấy tờ"},
    )
    assert response.status_code == 409
    assert "Thao tác của bạn chưa được thực hiện" in response.json()["detail"]
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING


def test_the_forms_rules_apply_to_the_input(client, org, citizen, integrator):
    _api, token = integrator
    dossier = make_submitted_dossier(org.procedure, citizen)

    def desk(key, action, **input):
        return act(
            client,
            token,
            dossier,
            key=key,
            action=action,
            officer=org.desk_officer.email,
            input=input,
        )

    missing = desk("a", "refuse")
    assert missing.status_code == 422
    assert missing.json()["errors"]["input.reason"] == ["Nhập lý do từ chối tiếp nhận."]
    foreign = desk("b", "accept", reason="?")
    assert foreign.status_code == 422
    assert foreign.json()["errors"]["input.reason"] == [
        "Thao tác “Tiếp nhận hồ sơ” không nhận trường này."
    ]
    shape = desk("c", "consult", days="hai")
    assert shape.status_code == 400 and "days" in shape.json()["errors"]["input"]
    refused = desk("d", "refuse", reason="Hồ sơ không thuộc thẩm quyền")
    assert refused.status_code == 200
    assert refused.json()["status"] == Status.NOT_ACCEPTED


def test_a_consulted_unit_answers_its_task(client, org, citizen, integrator):
    _api, token = integrator
    dossier = make_submitted_dossier(org.procedure, citizen)
    accept(client, token, dossier, org.desk_officer)
    consult = act(
        client,
        token,
        dossier,
        key="b",
        action="consult",
        officer=org.specialist.email,
        input={"unit_ids": [org.leadership.pk], "days": "0.5", "request": "Cho ý kiến"},
    )
    assert consult.status_code == 200, consult.content
    task = dossier.tasks.get()
    assert task.unit == org.leadership and str(task.due_at)
    wrong = answer(client, token, task, org.desk_officer, key="c")
    assert wrong.status_code == 409
    assert wrong.json()["detail"] == "Nhiệm vụ này được giao cho đơn vị khác."
    answered = answer(client, token, task, org.leader, key="d")
    assert answered.status_code == 200, answered.content
    assert answered.json()["state"] == "answered"
    task.refresh_from_db()
    assert task.answer == "Đồng ý" and task.answered_by == org.leader
    assert AuditEntry.objects.filter(action="api.task_answer", actor=org.leader).exists()


def test_without_the_actions_scope_nothing_is_done(client, org, citizen):
    api_client, secret = make_client(org.agency, scopes=["dossiers:read"])
    token = token_for(client, api_client, secret)
    dossier = make_submitted_dossier(org.procedure, citizen)
    response = act(client, token, dossier, action="accept", officer=org.desk_officer.email)
    assert response.status_code == 403
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED


def test_one_client_over_its_limit_waits_while_another_of_the_agency_goes_on(client, org, citizen):
    dossier = make_submitted_dossier(org.procedure, citizen)
    busy, busy_secret = make_client(org.agency, name="Hệ thống A", rate=3)
    calm, calm_secret = make_client(org.agency, name="Hệ thống B", rate=3)
    busy_token = token_for(client, busy, busy_secret)
    calm_token = token_for(client, calm, calm_secret)
    url = f"/api/v1/dossiers/{dossier.uuid}/actions/?officer={org.desk_officer.email}"
    answers = [client.get(url, **bearer(busy_token)).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = client.get(url, **bearer(busy_token), HTTP_ACCEPT_LANGUAGE="vi")
    assert limited.status_code == 429
    assert limited["Content-Type"] == "application/problem+json"
    assert 0 < int(limited["Retry-After"]) <= 60
    assert "quá nhiều yêu cầu" in limited.json()["detail"]
    assert client.get(url, **bearer(calm_token)).status_code == 200


def test_the_leader_approves_through_the_api_and_the_result_is_signed(
    client, org, citizen, integrator
):
    from motcua.results.models import ResultDocument

    _api, token = integrator
    dossier = make_submitted_dossier(org.procedure, citizen)
    steps = [
        ("accept", org.desk_officer),
        ("forward", org.specialist),
        ("forward", org.head),
    ]
    for n, (name, officer) in enumerate(steps):
        assert (
            act(client, token, dossier, key=f"s{n}", action=name, officer=officer.email).status_code
            == 200
        )
    signs = client.get(
        f"/api/v1/dossiers/{dossier.uuid}/actions/?officer={org.leader.email}", **bearer(token)
    )
    approve = next(a for a in signs.json()["actions"] if a["name"] == "approve")
    assert approve["signs_result"] is True
    response = act(client, token, dossier, key="ok", action="approve", officer=org.leader.email)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.PROCESSED
    result = ResultDocument.objects.get(dossier=dossier)
    assert result.signer and result.pdf.read(5) == b"%PDF-"
