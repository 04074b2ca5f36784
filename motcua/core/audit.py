from motcua.core.client import client_ip
from motcua.core.models import AuditEntry

__all__ = ["client_ip", "record_audit"]


def record_audit(*, action: str, actor=None, target: str = "", request=None, **data) -> AuditEntry:
    """Append one row to the audit trail; call inside the transaction of the change it records."""
    if actor is not None and not getattr(actor, "is_authenticated", True):
        actor = None
    return AuditEntry.objects.create(
        action=action, actor=actor, target=target, ip_address=client_ip(request), data=data
    )
