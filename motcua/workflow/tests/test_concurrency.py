"""Two officers acting on one dossier at once: exactly one wins, the other is told why."""

import threading

import pytest
from django.db import connection

from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.workflow.machine import ReasonInput, TransitionRefused, perform

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres_only,
]


def race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            outcomes[i] = call()
        except TransitionRefused as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_accept_against_refuse_exactly_one_wins(org, dossier, make_officer):
    second = make_officer(org.agency, (org.desk, "desk"), full_name="Lê Văn Tám")
    seen = dossier.version
    outcomes = race(
        [
            lambda: perform(
                dossier_id=dossier.pk,
                action="accept",
                actor=org.desk_officer,
                expected_version=seen,
            ),
            lambda: perform(
                dossier_id=dossier.pk,
                action="refuse",
                actor=second,
                data=ReasonInput(reason="Sai thẩm quyền"),
                expected_version=seen,
            ),
        ]
    )
    won = [o for o in outcomes if isinstance(o, Dossier)]
    lost = [o for o in outcomes if isinstance(o, TransitionRefused)]
    assert len(won) == 1 and len(lost) == 1
    winner = Dossier.objects.get(pk=dossier.pk)
    assert winner.status in (Status.PROCESSING, Status.NOT_ACCEPTED)
    assert "vừa được" in lost[0].message
    # The timeline has one decision, not two.
    decisions = DossierEvent.objects.filter(dossier=dossier, action__in=["accept", "refuse"])
    assert decisions.count() == 1


def test_many_officers_accepting_at_once_give_one_acceptance(org, dossier, make_officer):
    officers = [org.desk_officer] + [
        make_officer(org.agency, (org.desk, "desk"), full_name=f"Cán bộ {i}") for i in range(4)
    ]
    outcomes = race(
        [lambda o=o: perform(dossier_id=dossier.pk, action="accept", actor=o) for o in officers]
    )
    assert sum(isinstance(o, Dossier) for o in outcomes) == 1
    refused = [o for o in outcomes if isinstance(o, TransitionRefused)]
    assert len(refused) == 4 and all("Đang xử lý" in r.message for r in refused)
    assert DossierEvent.objects.filter(dossier=dossier, action="accept").count() == 1
    assert Dossier.objects.get(pk=dossier.pk).documents.filter(kind="receipt").count() == 1
