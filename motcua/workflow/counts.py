"""How many dossiers wait in each of the officer's queues, kept per unit in the shared cache.

Counting a busy unit's queues reads its whole part of the inbox index (decision 18). Each
unit's grouped counts are therefore kept in the cache under the unit's generation, a random
value that every change to a dossier or task of the unit replaces (bump_units, from the
models' post_save and post_delete): a change shows at the next page. What moves with the
clock alone (overdue, due soon) is recounted at least every INBOX_COUNTS_SECONDS.
"""

from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from motcua.dossiers import access
from motcua.workdays import services as workdays
from motcua.workflow import queues, reads

_GENERATION = "inbox:gen:{}"
_COUNTS = "inbox:counts:{}:{}"


def _generations(unit_ids) -> dict[int, str]:
    keys = {_GENERATION.format(u): u for u in unit_ids}
    result = {keys[k]: v for k, v in cache.get_many(keys).items()}
    for key, unit_id in keys.items():
        if unit_id not in result:  # a unit not seen yet, or evicted
            cache.add(key, uuid4().hex, timeout=None)
            result[unit_id] = cache.get(key)
    return result


def bump_units(unit_ids) -> None:
    """The counts of these units changed: later reads count them again.

    Each unit gets a new generation, a value never used before (one SET for all the
    units), now and again after COMMIT: a page read in between may count the old rows under
    the first new value, and the second drops that.
    """
    keys = [_GENERATION.format(u) for u in set(unit_ids) if u is not None]
    if not keys:
        return

    def bump():
        cache.set_many(dict.fromkeys(keys, uuid4().hex), timeout=None)

    bump()
    transaction.on_commit(bump)


def _unit_counts(unit_ids, now) -> dict[int, list[reads.CountRecord]]:
    """Each unit's counted groups (reads.count_records), from the cache or counted."""
    timeout = settings.INBOX_COUNTS_SECONDS
    generations = _generations(unit_ids) if timeout else {}
    keys = {_COUNTS.format(u, generations[u]): u for u in unit_ids} if timeout else {}
    found = cache.get_many(keys) if keys else {}
    epoch = now.timestamp()
    result = {}
    for key, (counted_at, unit_rows) in found.items():
        if 0 <= epoch - counted_at < timeout:  # counted for this moment (tests move the clock)
            result[keys[key]] = [reads.CountRecord(*row) for row in unit_rows]
    missing = [u for u in unit_ids if u not in result]
    if not missing:
        return result
    soon = workdays.add_working_days(now, 1)
    for unit_id in missing:
        result[unit_id] = []
    for record in reads.count_records(missing, queues.QUEUED, now=now, soon=soon):
        result[record.unit_id].append(record)
    if timeout:
        # Plain tuples in the cache: its values outlive a deploy that changes the record.
        cache.set_many(
            {
                _COUNTS.format(u, generations[u]): (epoch, [tuple(r) for r in result[u]])
                for u in missing
            },
            timeout=timeout,
        )
    return result


def inbox_counts(user, now=None) -> dict[str, int]:
    """How many dossiers wait in each queue, and the open tasks.

    The queues of queues.QUEUES, added up (queues.classify) from each unit's small grouped
    read (per role and status, with the overdue and due-soon parts): the database reads only
    the inbox index, and only for units whose counts are not in the cache.
    """
    now = now or timezone.now()
    pairs = access.role_pairs(user)
    desk_pairs = access.role_pairs(user, desk_only=True)
    counts = dict.fromkeys((*queues.QUEUES, "tasks"), 0)
    unit_ids = access.unit_ids(user)
    if not unit_ids:
        return counts
    for unit_records in _unit_counts(unit_ids, now).values():
        for record in unit_records:
            if record.role is None:  # the unit's open tasks
                counts["tasks"] += record.total
            else:
                queues.classify(counts, record, pairs, desk_pairs)
    return counts


# The columns whose change moves a dossier between queues.
_QUEUE_FIELDS = frozenset({"status", "current_unit", "current_role", "due_at"})


def dossier_changed(sender, instance, update_fields=None, **kwargs) -> None:
    """post_save / post_delete receiver for Dossier: the units it left and entered."""
    if update_fields is not None and not _QUEUE_FIELDS.intersection(update_fields):
        return  # a draft saved, a timestamp: no queue moved
    seen = instance.__dict__.get("_queued_unit_id")
    instance._queued_unit_id = instance.current_unit_id
    bump_units((seen, instance.current_unit_id))


def task_changed(sender, instance, **kwargs) -> None:
    """post_save / post_delete receiver for Task: its unit's open tasks."""
    bump_units((instance.unit_id,))
