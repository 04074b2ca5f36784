"""The person's right to refuse proactive services (Decree 224/2026 art. 17(3)): while they
refuse, MotCua neither reminds them nor prepares dossiers for them. Drafts already prepared
are left as they are (the person may still use or discard them). Each choice is audited."""

from django.db import transaction

from motcua.core.audit import record_audit
from motcua.proactive.models import OptOut


def refused(user_id: int) -> bool:
    """The person (by id: the subscribers hold a reminder's holder_id) refuses for now."""
    return OptOut.objects.filter(user_id=user_id).exists()


def refused_since(user):
    """When the person refused, or None while they accept."""
    return OptOut.objects.filter(user_id=user.pk).values_list("since", flat=True).first()


@transaction.atomic
def refuse(*, user, request=None) -> OptOut:
    """Stop reminders and prepared dossiers for `user` (again: nothing changes)."""
    opt_out, created = OptOut.objects.get_or_create(user=user)
    if created:
        record_audit(
            action="proactive.refuse", actor=user, target=f"user:{user.pk}", request=request
        )
    return opt_out


@transaction.atomic
def accept(*, user, request=None) -> bool:
    """Take proactive services again; True when the person had refused them."""
    deleted, _rows = OptOut.objects.filter(user=user).delete()
    if deleted:
        record_audit(
            action="proactive.accept", actor=user, target=f"user:{user.pk}", request=request
        )
    return bool(deleted)
