"""What the audit trail records for crm: every change (django-auditlog), and every staff view or
export of a person's data (``log_access``)."""

from auditlog.context import set_actor
from auditlog.registry import auditlog
from auditlog.signals import accessed


def register_models() -> None:
    from .models import Contact, Interaction, Membership, Organisation

    auditlog.register(Contact)
    auditlog.register(Organisation)
    auditlog.register(Membership)
    auditlog.register(Interaction)


def log_access(instance) -> None:
    """Record that the current actor (set by AuditlogMiddleware) saw this row's personal data."""
    accessed.send(sender=instance.__class__, instance=instance)


audit_actor = set_actor  # ``with audit_actor(user, remote_addr=...)`` for work outside a request
