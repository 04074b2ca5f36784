"""What workflow shows on the pages of the apps below it (motcua.core.panels)."""

from django.template.loader import render_to_string

from motcua.core.panels import panels
from motcua.payments import charges
from motcua.workflow.services import current_workflow


@panels.register("applicant_review", order=10)
def fee_before_submitting(request, dossier) -> str:
    """The fee on "check your answers": how much, and whether it is paid right after
    submitting (the workflow's payment_due "submission") or asked for later."""
    if not charges.fee_schedule_of(dossier.procedure):
        return ""
    quote = charges.quote_for_dossier(dossier)
    workflow = current_workflow(dossier.procedure_id)
    due_now = (
        workflow is not None
        and workflow.definition.get("payment_due") == "submission"
        and quote.amount > 0
    )
    return render_to_string(
        "payments/_fee_quote.html", {"quote": quote, "due_now": due_now}, request=request
    )
