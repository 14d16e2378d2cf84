"""What the audit trail records for crm: every change (django-auditlog), and every staff view or
export of a person's data (``log_access_many``)."""

from allauth.mfa.models import Authenticator
from auditlog.context import set_actor
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from auditlog.signals import accessed
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from config.access import client_address

from . import bulk
from .models import ApiClient, Contact, Interaction, Membership, Organisation

# Imported by CrmConfig.ready() and later, never while the models load.


def register_models() -> None:
    auditlog.register(Contact)
    auditlog.register(Organisation)
    auditlog.register(Membership)
    auditlog.register(Interaction)
    # Who let which integration do what. Not the token's parts, nor each use (bookkeeping).
    auditlog.register(ApiClient, exclude_fields=["token_prefix", "token_hash", "last_used_at"])
    register_staff_accounts()


#: What the audit trail keeps of a changed password: that it changed, never the hash.
PASSWORD_CHANGED = "***"  # noqa: S105 (a marker, not a password)


def password_fact(value: str) -> str:
    """auditlog's mask for the password field (``mask_callable``): a set password becomes one
    marker, so an entry says "the password changed" and holds nothing derived from it."""
    return "" if value in ("", "None") else PASSWORD_CHANGED


def register_staff_accounts() -> None:
    """Who may do what is part of who did what: staff accounts' roles (groups), staff and
    superuser flags, activation and password changes are audited, and so is adding or removing
    an authenticator (its secret never)."""
    auditlog.register(
        get_user_model(),
        include_fields=[
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "is_superuser",
            "password",
        ],
        mask_fields=["password"],
        mask_callable="crm.audit.password_fact",
        m2m_fields={"groups", "user_permissions"},
    )
    auditlog.register(Authenticator, include_fields=["type", "user"])


def keep_actor_names(*, user) -> int:
    """Before a staff account is deleted, its audit entries (whose actor link the deletion
    clears) keep who acted: the email auditlog recorded, or the username where there was none."""
    missing = Q(actor_email__isnull=True) | Q(actor_email="")
    return LogEntry.objects.filter(missing, actor=user).update(
        actor_email=(user.email or user.get_username())[:254]
    )


def log_access(instance) -> None:
    """Record that the current actor (set by AuditlogMiddleware) saw this row's personal data."""
    accessed.send(sender=instance.__class__, instance=instance)


audit_actor = set_actor  # ``with audit_actor(user, remote_addr=...)`` for work outside a request


def entry_row(
    content_type_id: int,
    pk: int,
    shown: str,
    action,
    *,
    changes=None,
    actor_id=None,
    actor_email=None,
    remote_addr=None,
    extra=None,
    timestamp=None,
) -> dict:
    """An audit entry written by hand (for set-based work that auditlog's signals do not see),
    as {attname: value}, with the content auditlog writes: object, action, before/after, actor
    and address. A row for bulk.insert_dicts, or the fields of a LogEntry (``entry``)."""
    row = {
        "content_type_id": content_type_id,
        "object_pk": str(pk),
        "object_id": pk,
        "object_repr": shown[:200],
        "action": action,
        "changes": changes,
        "actor_id": actor_id,
        "actor_email": actor_email or None,
        "remote_addr": remote_addr,
        "additional_data": extra,
    }
    if timestamp is not None:
        row["timestamp"] = timestamp
    return row


def entry(obj, action, *, actor=None, changes=None, remote_addr=None, extra=None):
    """``entry_row`` of a loaded row, as a LogEntry."""
    return LogEntry(
        **entry_row(
            ContentType.objects.get_for_model(obj).pk,
            obj.pk,
            str(obj),
            action,
            changes=changes,
            actor_id=getattr(actor, "pk", None),
            actor_email=getattr(actor, "email", None),
            remote_addr=remote_addr,
            extra=extra,
        )
    )


def log_access_many(request, people, **extra) -> None:
    """One access entry per person shown (a list page, an API page), written in one query."""
    people = list({p.pk: p for p in people if p is not None}.values())
    if not people:
        return
    actor = request.user if request.user.is_authenticated else None
    address = client_address(request)
    bulk.insert(  # COPY on PostgreSQL: a list page logs 50 people without slowing down
        LogEntry,
        [
            entry(
                person,
                LogEntry.Action.ACCESS,
                actor=actor,
                remote_addr=address,
                extra={"path": request.path[:200], **extra},
            )
            for person in people
        ],
    )
