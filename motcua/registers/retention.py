"""Retention: the look-ups made for a purged dossier keep who, when, why and what came of
it, but no longer the key they were about."""

from motcua.core.retention import purgers
from motcua.registers.models import Lookup


@purgers.register("registers")
def purge_lookups(dossier_ids: list[int], files: list) -> dict[str, int]:
    count = (
        Lookup.objects.filter(dossier_id__in=dossier_ids)
        .exclude(key_masked="", key_hash="")
        .update(key_masked="", key_hash="")
    )
    return {"registers.lookups": count}
