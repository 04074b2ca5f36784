"""Keeping what falls due in step with the results (issue 17, decision 0084): an issued
result writes its due items and renews what it replaces; a revoked one revokes its items.
Asynchronous and idempotent: a rerun finds the items written and the states already set."""

from motcua.core.events import ProactiveRuleChanged, ResultIssued, ResultRevoked
from motcua.core.outbox import subscriber
from motcua.proactive import items
from motcua.results.models import ResultDocument


@subscriber(ResultIssued, name="proactive.index_result")
def index_issued_result(event: ResultIssued) -> None:
    result = (
        ResultDocument.objects.select_related("dossier__procedure")
        .filter(pk=event.result_id)
        .first()
    )
    if result is not None:
        items.index_result(result)


@subscriber(ResultRevoked, name="proactive.revoke_items")
def revoke_items(event: ResultRevoked) -> None:
    items.revoke_items(event.result_id)


@subscriber(ProactiveRuleChanged, name="proactive.index_procedure")
def index_for_new_rule(event: ProactiveRuleChanged) -> None:
    items.index_procedure(event.procedure_code)
