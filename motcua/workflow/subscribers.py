"""What the workflow does when something happens below it: synchronous subscribers that move
the dossier in the same transaction as the fact (motcua.core.outbox)."""

from motcua.core.events import DossierSubmitted
from motcua.core.outbox import subscriber
from motcua.dossiers.models import Dossier
from motcua.workflow import services


@subscriber(DossierSubmitted, sync=True, name="workflow.route_submitted")
def route_submitted(event: DossierSubmitted, dossier: Dossier) -> None:
    services.route_submitted(dossier)
