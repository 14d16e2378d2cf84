"""What the audit trail records for crm: every change (django-auditlog), and every staff view or
export of a person's data (``log_access_many``)."""

from allauth.mfa.models import Authenticator
from auditlog.context import set_actor
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from auditlog.signals import accessed, pre_log
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.utils.translation import ngettext

from config.access import client_address
from privacy.models import AccessedPerson

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
    pre_log.connect(
        _staff_account_entry_wanted, sender=get_user_model(), dispatch_uid="crm.audit.accounts"
    )
    # An authenticator's own row would be a "created" entry about a secret-holding row; it is
    # recorded as a change of its account instead.
    post_save.connect(authenticator_added, sender=Authenticator, dispatch_uid="crm.audit.mfa+")
    post_delete.connect(authenticator_removed, sender=Authenticator, dispatch_uid="crm.audit.mfa-")


def _staff_account_entry_wanted(sender, instance, action, **kwargs) -> bool | None:
    """auditlog's pre_log: False skips the entry.

    An account's creation is not an entry of its own: what matters follows as changes (the staff
    flag ticked, groups given, a password set), and the admin's history names who added it. An
    integration's service user (never staff, no password) is bookkeeping behind its API client,
    whose creation, scopes and revocation are audited on the client itself.
    """
    if action == LogEntry.Action.CREATE:
        return False
    if not (instance.is_staff or instance.is_superuser or instance.has_usable_password()):
        return False
    return None


def authenticator_entry(*, authenticator, operation: str) -> None:
    """An authenticator added to or removed from a staff account, as a change of the account
    (never the secret), stored as its type ("totp", "recovery_codes")."""
    change = {"type": "m2m", "operation": operation, "objects": [authenticator.type]}
    # Saved through the ORM: auditlog's context (the middleware's actor and address) fills in
    # who and where.
    entry(authenticator.user, LogEntry.Action.UPDATE, changes={"authenticator": change}).save()


def authenticator_added(sender, instance, created, **kwargs) -> None:
    if created:
        authenticator_entry(authenticator=instance, operation="add")


def authenticator_removed(sender, instance, **kwargs) -> None:
    authenticator_entry(authenticator=instance, operation="delete")


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
    """One access entry for one page view (a list page, a page with several people's data, an
    API page), naming every person shown through ``privacy.AccessedPerson`` rows.

    The entry is about the person when one was shown (it names them, as opening their page
    always has); about "N people" when several were, with the page and the count in its notes,
    so that the audit trail holds one entry per page view rather than fifty. Two statements
    whatever the number of people (the entry, then its people in one COPY or bulk insert): a
    page costs the same queries with one person on it or a hundred.
    """
    people = list({p.pk: p for p in people if p is not None}.values())
    if not people:
        return
    actor = request.user if request.user.is_authenticated else None
    count = len(people)
    if count == 1:
        pk, shown = people[0].pk, str(people[0])
    else:
        # No names in a shared entry: erasing one of the people removes only their link row.
        pk, shown = None, ngettext("%(count)d person", "%(count)d people", count) % {"count": count}
    access = LogEntry(
        **entry_row(
            ContentType.objects.get_for_model(Contact).pk,
            pk,
            shown,
            LogEntry.Action.ACCESS,
            actor_id=getattr(actor, "pk", None),
            actor_email=getattr(actor, "email", None),
            remote_addr=client_address(request),
            extra={"path": request.path[:200], "people": count, **extra},
        )
    )
    if pk is None:
        access.object_pk = ""
    access.actor = actor  # loaded: auditlog's pre_save reads it, without a query of its own
    access.save()
    bulk.insert_dicts(  # COPY on PostgreSQL
        AccessedPerson, [{"entry_id": access.pk, "contact_id": p.pk} for p in people]
    )
