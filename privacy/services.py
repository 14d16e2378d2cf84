"""Every change to register descriptions and to the breach register goes through here.

Both models are registered with the audit trail (privacy.audit), so each save writes its entry
in the service's transaction.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .models import Breach, Register, RegisterText
from .registers import RegisterInvalid, parse_document


@transaction.atomic
def register_load(*, document) -> Register:
    """Create or update (by name) a register description from a document (parsed YAML).

    Every problem is reported at once with its path (``RegisterInvalid``) and nothing changes;
    languages missing from the document are removed from the register (the notice then says
    it is not available in them).
    """
    register, texts = parse_document(document)
    register.save()
    register.texts.exclude(language__in=list(texts)).delete()
    for language, text in texts.items():
        existing = register.texts.filter(language=language).first()
        if existing:
            text.pk = existing.pk
        text.register = register
        text.save()
    return register


@transaction.atomic
def register_save(*, register: Register) -> Register:
    """Save a register description edited in the admin (its texts are saved by the inline)."""
    from .registers import register_problems

    problems = register_problems(register)
    if problems:
        raise RegisterInvalid(problems)
    register.full_clean()
    register.save()
    return register


@transaction.atomic
def register_text_save(*, text: RegisterText) -> RegisterText:
    text.full_clean()
    text.save()
    return text


@transaction.atomic
def breach_save(*, breach: Breach, actor=None) -> Breach:
    """Record or update a breach (GDPR Art. 33(5): the facts, effects and remedial action)."""
    if breach.pk is None and actor is not None and actor.is_authenticated:
        breach.recorded_by = actor
    breach.full_clean()
    breach.save()
    return breach


def breach_claim_warning(*, breach_id: int, overdue: bool) -> bool:
    """Claim the right to send one deadline reminder for a breach: True for exactly one caller
    (a conditional update), so two beat workers never both mail."""
    field = "warned_overdue_at" if overdue else "warned_near_at"
    claimed = Breach.objects.filter(
        pk=breach_id, authority_notified_at=None, not_notified_reason="", **{field: None}
    ).update(**{field: timezone.now()})
    return claimed == 1


@transaction.atomic
def register_text_delete(*, text: RegisterText) -> None:
    """Remove a language's texts: the notice then says it is not available in that language."""
    text.delete()


def breach_deadline_warn(*, now=None) -> int:
    """Mail the data protection officers about each breach the authority has not been told of
    when its 72-hour deadline nears (``BREACH_WARN_HOURS_BEFORE``) and once it has passed.

    Each reminder is claimed before it is sent (``breach_claim_warning``), so the beat job may
    run twice at once or again later without mailing twice. Returns the mails sent.
    """
    import datetime

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import gettext

    from crm.roles import DPO

    now = now or timezone.now()
    warn_from = now + datetime.timedelta(hours=settings.BREACH_WARN_HOURS_BEFORE)
    recipients = list(
        get_user_model()
        .objects.filter(groups__name=DPO, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    sent = 0
    due = Breach.objects.filter(
        authority_notified_at=None,
        not_notified_reason="",
        discovered_at__lte=warn_from - Breach.NOTIFY_WITHIN,
    )
    for breach in due:
        overdue = breach.notify_by <= now
        if overdue and breach.warned_overdue_at is not None:
            continue
        if not overdue and breach.warned_near_at is not None:
            continue
        if not recipients or not breach_claim_warning(breach_id=breach.pk, overdue=overdue):
            continue
        link = settings.SITE_URL + reverse("admin:privacy_breach_change", args=[breach.pk])
        deadline = timezone.localtime(breach.notify_by).strftime("%d.%m.%Y %H:%M")
        with translation.override(settings.LANGUAGE_CODE):
            if overdue:
                subject = gettext("Breach not notified: the 72-hour deadline has passed")
            else:
                subject = gettext("Breach not notified: the 72-hour deadline is near")
            body = gettext(
                "A personal data breach discovered %(discovered)s has not been notified to the "
                "Data Protection Ombudsman. The deadline is %(deadline)s (GDPR Art. 33(1)). "
                "Notify the authority, or record why the breach is unlikely to result in a "
                "risk:\n\n%(link)s\n"
            ) % {
                "discovered": timezone.localtime(breach.discovered_at).strftime("%d.%m.%Y %H:%M"),
                "deadline": deadline,
                "link": link,
            }
        # The mail names no person: the breach's nature and numbers stay in the admin.
        send_mail(subject, body, None, recipients)
        sent += 1
    return sent
