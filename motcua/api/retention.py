"""Retention (decision 0058): a purged dossier's liên thông results lose their PDF.

The Handover row stays (the task, the peer's code, the file's name and SHA-256: what the
archive needs to say what came back); the signed PDF, with the person's data, is deleted and
the field blanked, so the officer's panel no longer offers it.
"""

from motcua.api.models import Handover
from motcua.core.retention import purgers, stored_files


@purgers.register("api")
def purge_handover_results(dossier_ids: list[int], files: list) -> dict[str, int]:
    handovers = Handover.objects.filter(task__dossier_id__in=dossier_ids).exclude(result_file="")
    pdfs = stored_files(handovers, "result_file")
    files.extend(pdfs)
    handovers.update(result_file="")
    return {"api.handover_results": len(pdfs)}
