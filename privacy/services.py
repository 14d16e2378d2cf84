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
