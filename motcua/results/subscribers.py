"""What results does when something happens below it (motcua.core.outbox)."""

from motcua.core.events import ProcedureVersionCreated
from motcua.core.outbox import subscriber
from motcua.results.models import ResultTemplate


@subscriber(ProcedureVersionCreated, sync=True, name="results.carry_template_over")
def carry_template_over(event: ProcedureVersionCreated, subject) -> None:
    """A new version of a procedure keeps the administrator's result template of the one it
    replaces."""
    template = ResultTemplate.objects.filter(procedure_id=event.previous_id).first()
    if template is None or ResultTemplate.objects.filter(procedure_id=event.procedure_id).exists():
        return
    ResultTemplate.objects.create(
        procedure_id=event.procedure_id, html=template.html, is_active=template.is_active
    )
