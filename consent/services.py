"""Every change to consents goes through a function here.

A change of a person's consent appends one ledger row (ConsentEvent) and writes the current
state (ConsentState) in the same transaction, with the state row locked, so two doors changing
the same consent at once queue up instead of losing one. A call that changes nothing writes
nothing.

The state is a fold of the ledger (``ledger_fold``): GIVEN, CONFIRMED and RENEWED make the consent
valid until the row's ``valid_until``, WITHDRAWN and EXPIRED end it, TOPICS_CHANGED sets the
topics. A web sign-up's GIVEN row (the time, address and browser of the form) is written with
its CONFIRMED row (those of the confirmation click) when the link is opened, never before:
until then the sign-up is a PendingSignUp, which is not a consent.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import audit
from crm import selectors as crm_selectors
from crm import services as crm_services
from crm.models import Contact, normalise_email

from . import links, mail, selectors
from .models import (
    ConsentEvent,
    ConsentState,
    ConsentText,
    Mailing,
    MailingRecipient,
    PendingSignUp,
    Purpose,
    Topic,
)

logger = logging.getLogger(__name__)

Kind = ConsentEvent.Kind
Source = ConsentEvent.Source
Status = ConsentState.Status


@dataclass(frozen=True)
class Evidence:
    """How and from where a change came: the ledger's proof. ``detail`` names the API client,
    the staff member or the file; web sources add the address and the browser."""

    source: str
    detail: str = ""
    ip_address: str | None = None
    user_agent: str = ""
    note: str = ""


def evidence_of_request(request, source: str, detail: str = "") -> Evidence:
    from config.access import client_address

    return Evidence(
        source=source,
        detail=detail,
        ip_address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )


# --- Purposes and texts ---------------------------------------------------------------------


@transaction.atomic
def consent_text_publish(
    *, purpose: Purpose, text_fi: str, text_sv: str = "", text_en: str = ""
) -> ConsentText:
    """New wording for a purpose: a new version; the old ones stay, as do the consents given on
    them. The same wording as the current version publishes nothing."""
    purpose = Purpose.objects.select_for_update().get(pk=purpose.pk)
    current = purpose.current_text()
    if current and (current.text_fi, current.text_sv, current.text_en) == (
        text_fi,
        text_sv,
        text_en,
    ):
        return current
    text = ConsentText(
        purpose=purpose,
        version=(current.version + 1) if current else 1,
        text_fi=text_fi,
        text_sv=text_sv,
        text_en=text_en,
    )
    text.full_clean()
    text.save()
    return text


def topics_of(purpose: Purpose, codes) -> list[Topic]:
    """The purpose's topics named by ``codes`` (None: all of them); an unknown code is refused."""
    topics = {t.code: t for t in purpose.topics.all()}
    if codes is None:
        return list(topics.values())
    unknown = sorted(set(codes) - topics.keys())
    if unknown:
        raise ValidationError(
            {"topics": _("Unknown topics: %(codes)s") % {"codes": ", ".join(unknown)}}
        )
    return [topics[c] for c in dict.fromkeys(codes)]


@transaction.atomic
def topic_ensure(
    *, purpose: Purpose, code: str, name_fi: str, name_sv: str = "", name_en: str = ""
) -> Topic:
    """The purpose's topic ``code``, made when it is missing (an event's topic of the event
    purposes: events.services). An existing topic keeps its names."""
    topic = Topic.objects.filter(purpose=purpose, code=code).first()
    if topic is not None:
        return topic
    topic = Topic(purpose=purpose, code=code, name_fi=name_fi, name_sv=name_sv, name_en=name_en)
    topic.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            topic.save()
    except IntegrityError:  # made at the same moment by another registration
        topic = Topic.objects.get(purpose=purpose, code=code)
    return topic


# --- The ledger and the state ---------------------------------------------------------------


def _append(
    *,
    contact_id: int,
    purpose: Purpose,
    kind: str,
    evidence: Evidence,
    text: ConsentText | None = None,
    topics: list[str] | None = None,
    valid_until=None,
    at=None,
) -> ConsentEvent:
    event = ConsentEvent(
        contact_id=contact_id,
        purpose=purpose,
        kind=kind,
        text=text,
        at=at or timezone.now(),
        source=evidence.source,
        source_detail=evidence.detail[:200],
        ip_address=evidence.ip_address,
        user_agent=evidence.user_agent[:300],
        note=evidence.note,
        topics=sorted(topics or []),
        valid_until=valid_until,
    )
    event.full_clean(exclude=["contact"])
    event.save()
    return event


def _locked_state(contact: Contact, purpose: Purpose) -> ConsentState | None:
    return (
        ConsentState.objects.select_for_update()
        .filter(contact_id=contact.pk, purpose=purpose)
        .first()
    )


def _codes(state: ConsentState | None) -> list[str]:
    return sorted(t.code for t in state.topics.all()) if state else []


def _set_state(
    contact: Contact, purpose: Purpose, state: ConsentState | None, topics=None, **values
) -> ConsentState:
    values["changed_at"] = timezone.now()
    if state is None:
        state = ConsentState.objects.create(contact_id=contact.pk, purpose=purpose, **values)
    else:
        for name, value in values.items():
            setattr(state, name, value)
        state.save(update_fields=list(values))
    if topics is not None:
        state.topics.set(topics)
    return state


class AddressSuppressed(ValidationError):
    """The address is on the suppression list (privacy.suppression): no marketing consent."""


def suppression_refusal(email: str) -> str:
    """The message for staff and integrations when ``email`` is suppressed, else ``""``."""
    from privacy.suppression import is_suppressed

    if email and is_suppressed(email):
        return _(
            "This address is on the suppression list: its owner had their data erased or "
            "objected to direct marketing, so no marketing consent can be recorded for it."
        )
    return ""


def _refuse_suppressed(email: str, purpose: Purpose) -> None:
    if purpose.is_marketing:
        refusal = suppression_refusal(email)
        if refusal:
            raise AddressSuppressed({"email": [refusal]})


@transaction.atomic
def consent_give(
    *,
    contact: Contact,
    purpose: Purpose,
    evidence: Evidence,
    topics: list[Topic] | None = None,
    text: ConsentText | None = None,
    given_at=None,
    confirmed: Evidence | None = None,
) -> ConsentState:
    """Record a consent given by the person (on the web after the double opt-in, on paper or
    by phone to staff, through an integration). ``topics`` None: all the purpose's topics.

    Given again while valid, it makes no second consent: the period starts again (RENEWED) and
    the topics follow the new choice. ``confirmed`` (web sign-ups) adds the CONFIRMED row with
    the evidence of the confirmation click, after the GIVEN row of the form.
    """
    text = text or purpose.current_text()
    if text is None or text.purpose_id != purpose.pk:
        raise ValidationError({"purpose": _("This purpose has no consent text yet.")})
    _refuse_suppressed(contact.email, purpose)
    topics = list(purpose.topics.all()) if topics is None else topics
    codes = sorted(t.code for t in topics)
    now = timezone.now()
    valid_until = now + datetime.timedelta(days=purpose.validity_days)
    state = _locked_state(contact, purpose)
    if state is not None and state.is_valid(now):
        _append(
            contact_id=contact.pk,
            purpose=purpose,
            kind=Kind.RENEWED,
            evidence=confirmed or evidence,
            text=text,
            topics=codes,
            valid_until=valid_until,
        )
    else:
        _append(
            contact_id=contact.pk,
            purpose=purpose,
            kind=Kind.GIVEN,
            evidence=evidence,
            text=text,
            topics=codes,
            valid_until=valid_until,
            at=given_at,
        )
        if confirmed is not None:
            _append(
                contact_id=contact.pk,
                purpose=purpose,
                kind=Kind.CONFIRMED,
                evidence=confirmed,
                text=text,
                topics=codes,
                valid_until=valid_until,
            )
    return _set_state(
        contact,
        purpose,
        state,
        topics=topics,
        status=Status.VALID,
        text=text,
        given_at=now,
        expires_at=valid_until,
        renewal_sent_for=None,
    )


@transaction.atomic
def consent_withdraw(*, contact: Contact, purpose: Purpose, evidence: Evidence) -> bool:
    """Withdraw a consent at once (GDPR Art. 7(3): as easy as giving it). False when there was
    no valid consent to withdraw: nothing is written."""
    state = _locked_state(contact, purpose)
    if state is None or state.status != Status.VALID:
        return False
    _append(
        contact_id=contact.pk,
        purpose=purpose,
        kind=Kind.WITHDRAWN,
        evidence=evidence,
        text=state.text,
        topics=_codes(state),
    )
    _set_state(contact, purpose, state, status=Status.WITHDRAWN)
    return True


@transaction.atomic
def consent_withdraw_all_marketing(*, contact: Contact, evidence: Evidence) -> list[Purpose]:
    """Withdraw every marketing consent of the person (the preference page's "all marketing";
    an objection to direct marketing, source OBJECTION). Returns the purposes withdrawn."""
    withdrawn = []
    for purpose in Purpose.objects.filter(is_marketing=True).order_by("pk"):
        if consent_withdraw(contact=contact, purpose=purpose, evidence=evidence):
            withdrawn.append(purpose)
    return withdrawn


@transaction.atomic
def consent_topics_change(
    *, contact: Contact, purpose: Purpose, topics: list[Topic], evidence: Evidence
) -> bool:
    """Change which topics a valid consent covers. False when nothing changed."""
    state = _locked_state(contact, purpose)
    if state is None or not state.is_valid():
        return False
    codes = sorted(t.code for t in topics)
    if codes == _codes(state):
        return False
    _append(
        contact_id=contact.pk,
        purpose=purpose,
        kind=Kind.TOPICS_CHANGED,
        evidence=evidence,
        text=state.text,
        topics=codes,
    )
    _set_state(contact, purpose, state, topics=topics)
    return True


@transaction.atomic
def consent_renew(*, contact: Contact, purpose: Purpose, evidence: Evidence) -> bool:
    """The person renewed a valid consent (the renewal mail's link): a new period starts, on
    the purpose's current wording (the one the renewal page shows), which may be newer than the
    one the consent was first given on. False when the consent is no longer valid (it must be
    given again)."""
    state = _locked_state(contact, purpose)
    if state is None or not state.is_valid():
        return False
    text = purpose.current_text() or state.text
    valid_until = timezone.now() + datetime.timedelta(days=purpose.validity_days)
    _append(
        contact_id=contact.pk,
        purpose=purpose,
        kind=Kind.RENEWED,
        evidence=evidence,
        text=text,
        topics=_codes(state),
        valid_until=valid_until,
    )
    _set_state(
        contact,
        purpose,
        state,
        text=text,
        given_at=timezone.now(),
        expires_at=valid_until,
        renewal_sent_for=None,
    )
    return True


def ledger_fold(events) -> dict | None:
    """The state the ledger's rows (oldest first) add up to, as ConsentState's values."""
    values = None
    for event in events:
        if event.kind in (Kind.GIVEN, Kind.CONFIRMED, Kind.RENEWED):
            values = {
                "status": Status.VALID,
                "text_id": event.text_id,
                "given_at": event.at,
                "expires_at": event.valid_until,
                "topics": event.topics,
            }
        elif values is None:
            continue
        elif event.kind == Kind.WITHDRAWN:
            values["status"] = Status.WITHDRAWN
        elif event.kind == Kind.EXPIRED:
            values["status"] = Status.EXPIRED
        elif event.kind == Kind.TOPICS_CHANGED:
            values["topics"] = event.topics
    return values


def consent_state_from_ledger(*, contact_id: int, purpose: Purpose) -> dict | None:
    """What the ledger says the consent is now (for checks and merges)."""
    return ledger_fold(
        ConsentEvent.objects.filter(contact_id=contact_id, purpose=purpose).order_by("at", "pk")
    )


@transaction.atomic
def consent_state_rebuild(*, contact: Contact, purpose: Purpose) -> ConsentState | None:
    """Write the current state again from the ledger (after a merge appended rows)."""
    values = consent_state_from_ledger(contact_id=contact.pk, purpose=purpose)
    state = _locked_state(contact, purpose)
    if values is None:
        if state is not None:
            state.delete()
        return None
    codes = values.pop("topics")
    return _set_state(
        contact,
        purpose,
        state,
        topics=list(purpose.topics.filter(code__in=codes)),
        **values,
    )


def ledger_merge_append(*, rows, survivor: Contact, actor) -> None:
    """The merge of a duplicate (privacy.merge, MergeRule.APPEND): copies of the duplicate's
    ledger rows are appended under the kept person, with their original times and evidence and
    ``merged_from``; the originals are never touched. The kept person's state is then the fold
    of both histories (the latest expression of will wins), and the duplicate's states go."""
    copies = [
        ConsentEvent(
            contact_id=survivor.pk,
            purpose_id=row.purpose_id,
            text_id=row.text_id,
            kind=row.kind,
            at=row.at,
            source=row.source,
            source_detail=row.source_detail,
            ip_address=row.ip_address,
            user_agent=row.user_agent,
            note=row.note,
            topics=row.topics,
            valid_until=row.valid_until,
            merged_from=row.contact_id,
        )
        for row in rows
    ]
    ConsentEvent.objects.bulk_create(copies)
    duplicates = {row.contact_id for row in rows}
    ConsentState.objects.filter(contact_id__in=duplicates).delete()
    for purpose in Purpose.objects.filter(pk__in={row.purpose_id for row in rows}):
        consent_state_rebuild(contact=survivor, purpose=purpose)


# --- Sign-up with double opt-in --------------------------------------------------------------

SIGN_UP_MAIL_INTERVAL = datetime.timedelta(hours=1)


@transaction.atomic
def sign_up_request(
    *,
    purpose: Purpose,
    email: str,
    first_name: str,
    last_name: str,
    language: str,
    topics: list[Topic],
    evidence: Evidence,
) -> bool:
    """A sign-up from the web form or an integration: kept as a PendingSignUp and a
    confirmation link mailed to the address. Nothing is a consent until the link is opened.

    Signing up again refreshes the one pending sign-up (a new link; older ones stop working) and
    mails at most once an hour per address and purpose. A request that sends no mail changes
    nothing: the values the link confirms are those of the form that sent the mail, so nobody
    who merely knows the address can rewrite the name, topics or evidence behind someone else's
    link. Returns whether a mail was sent.
    """
    email = normalise_email(email)
    text = purpose.current_text()
    if text is None or not purpose.active:
        raise ValidationError({"purpose": _("This purpose is not open for sign-up.")})
    _refuse_suppressed(email, purpose)
    now = timezone.now()
    pending, created = PendingSignUp.objects.select_for_update().get_or_create(
        email=email,
        purpose=purpose,
        defaults={"text": text, "language": language, "nonce": secrets.token_hex(8)},
    )
    if not created and pending.mailed_at and now - pending.mailed_at < SIGN_UP_MAIL_INTERVAL:
        return False
    pending.text = text
    pending.first_name, pending.last_name = first_name[:150], last_name[:150]
    pending.language = language
    pending.topics = sorted(t.code for t in topics)
    pending.source, pending.source_detail = evidence.source, evidence.detail[:200]
    pending.ip_address, pending.user_agent = evidence.ip_address, evidence.user_agent[:300]
    pending.created_at = now
    pending.nonce = secrets.token_hex(8)
    pending.mailed_at = now
    pending.full_clean()
    pending.save()
    url = links.url(links.CONFIRM, language, s=pending.pk, n=pending.nonce)
    transaction.on_commit(lambda: mail.confirmation_send(pending=pending, url=url))
    return True


class SignUpGone(Exception):
    """The sign-up behind a validly signed link is no longer waiting (confirmed already, lapsed
    after 7 days, or replaced by a newer sign-up)."""


@transaction.atomic
def sign_up_confirm(*, payload: dict, evidence: Evidence) -> ConsentState:
    """The person opened the confirmation link: the consent is given and confirmed (two ledger
    rows: the form's evidence and the click's), the person created or found by address, and the
    pending sign-up removed. A link used twice finds nothing and changes nothing."""
    pending = (
        PendingSignUp.objects.select_for_update()
        .select_related("purpose", "text")
        .filter(pk=payload.get("s"), nonce=str(payload.get("n", "")))
        .first()
    )
    if pending is None:
        raise SignUpGone()
    contact = crm_selectors.contacts_by_email([pending.email]).get(pending.email)
    if contact is None:
        contact = crm_services.contact_create(
            source=Contact.Source.WEB_FORM,
            source_detail=_("Sign-up: %(purpose)s") % {"purpose": pending.purpose.code},
            first_name=pending.first_name,
            last_name=pending.last_name,
            email=pending.email,
            preferred_language=pending.language,
        ).instance
    state = consent_give(
        contact=contact,
        purpose=pending.purpose,
        text=pending.text,
        topics=list(pending.purpose.topics.filter(code__in=pending.topics)),
        given_at=pending.created_at,
        evidence=Evidence(
            source=pending.source,
            detail=pending.source_detail,
            ip_address=pending.ip_address,
            user_agent=pending.user_agent,
        ),
        confirmed=evidence,
    )
    pending.delete()
    return state


@transaction.atomic
def sign_ups_unconfirmed_purge(*, now=None) -> int:
    """Remove sign-ups not confirmed within their 7 days (the declared transient maximum)."""
    from privacy.declarations import registry

    now = now or timezone.now()
    days = registry.transient_max_days(PendingSignUp, "email")
    deleted, _by_model = PendingSignUp.objects.filter(
        created_at__lt=now - datetime.timedelta(days=days)
    ).delete()
    return deleted


def sign_up_allowed(*, ip_address: str | None, email: str) -> bool:
    """Rate limits of the public sign-up: per address of the client and per email address, so
    neither a script nor someone typing a victim's address can flood anyone."""
    window = 3600
    checks = [
        (f"consent:signup:ip:{ip_address}", settings.CONSENT_SIGNUPS_PER_IP_HOUR),
        (f"consent:signup:email:{normalise_email(email)}", settings.CONSENT_SIGNUPS_PER_EMAIL_HOUR),
    ]
    allowed = True
    for key, limit in checks:
        cache.add(key, 0, window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            count = 1
        allowed = allowed and count <= limit
    return allowed


# --- Scheduled jobs --------------------------------------------------------------------------

EXPIRY_BATCH = 5_000


def consent_expire_due(*, now=None, batch_size: int = EXPIRY_BATCH, after_batch=None) -> int:
    """Expire every valid consent past its period: each state becomes expired and gets one
    EXPIRED ledger row, set-based, ``batch_size`` at a time, each batch its own transaction.

    Safe to kill at any moment and to run twice, also at once: a batch is the rows still valid
    and due, locked (skipping rows another run holds) while they are changed, so a rerun
    continues where the killed one stopped and expires nothing twice. ``after_batch(n)`` is
    called after each committed batch (progress; tests interrupt here). Returns the count.
    """
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            expired = _expire_batch(now, batch_size)
        total += expired
        if after_batch is not None and expired:
            after_batch(expired)
        if expired < batch_size:
            return total


def _expire_batch(now, batch_size: int) -> int:
    if connection.vendor == "postgresql":
        # One statement: lock a batch, expire it, and append its ledger rows from what the
        # UPDATE returned.
        with connection.cursor() as cursor:
            cursor.execute(
                """
                WITH due AS (
                    SELECT id FROM consent_consentstate
                    WHERE status = 'valid' AND expires_at <= %(now)s
                    ORDER BY id LIMIT %(batch)s FOR UPDATE SKIP LOCKED
                ), expired AS (
                    UPDATE consent_consentstate s SET status = 'expired', changed_at = %(now)s
                    FROM due WHERE s.id = due.id
                    RETURNING s.contact_id, s.purpose_id, s.text_id
                )
                INSERT INTO consent_consentevent
                    (contact_id, purpose_id, text_id, kind, at, source, source_detail,
                     ip_address, user_agent, note, topics, valid_until, merged_from)
                SELECT contact_id, purpose_id, text_id, 'expired', %(now)s, 'system', '',
                       NULL, '', '', '[]'::jsonb, NULL, NULL
                FROM expired
                """,
                {"now": now, "batch": batch_size},
            )
            return cursor.rowcount
    due = list(
        ConsentState.objects.select_for_update()
        .filter(status=Status.VALID, expires_at__lte=now)
        .order_by("pk")
        .values_list("pk", "contact_id", "purpose_id", "text_id")[:batch_size]
    )
    if not due:
        return 0
    ConsentState.objects.filter(pk__in=[row[0] for row in due], status=Status.VALID).update(
        status=Status.EXPIRED, changed_at=now
    )
    ConsentEvent.objects.bulk_create(
        ConsentEvent(
            contact_id=contact_id,
            purpose_id=purpose_id,
            text_id=text_id,
            kind=Kind.EXPIRED,
            at=now,
            source=Source.SYSTEM,
        )
        for _pk, contact_id, purpose_id, text_id in due
    )
    return len(due)


def consent_renewal_reminders_send(*, now=None) -> int:
    """Mail a renewal link to each person whose consent expires within its purpose's renewal
    days: once per consent period. The reminder is claimed (``renewal_sent_for`` set to the
    expiry it is about) before its mail goes, so a rerun, or a second worker, sends none again;
    renewing starts a new period, whose reminder is then due in its turn."""
    now = now or timezone.now()
    sent = 0
    for purpose in Purpose.objects.filter(renewal_days__gt=0):
        due = (
            selectors.valid_consents(purpose=purpose, now=now)
            .filter(expires_at__lte=now + datetime.timedelta(days=purpose.renewal_days))
            .exclude(renewal_sent_for=F("expires_at"))
            .values_list("pk", "expires_at")
        )
        for pk, expires_at in list(due.iterator(chunk_size=2000)):
            claimed = (
                ConsentState.objects.filter(pk=pk, status=Status.VALID, expires_at=expires_at)
                .exclude(renewal_sent_for=expires_at)
                .update(renewal_sent_for=expires_at)
            )
            if claimed:
                state = ConsentState.objects.select_related("contact", "purpose").get(pk=pk)
                mail.renewal_send(state=state)
                sent += 1
    return sent


@transaction.atomic
def consent_evidence_purge(*, now=None) -> int:
    """Delete the ledger of each (person, purpose) whose consent is no longer valid and whose
    last change is older than the CONSENT_EVIDENCE period, and the mailing rows as old.

    The only deletion of ledger rows: it goes past the model layer's refusal with its own SQL
    and tells the PostgreSQL trigger so for this transaction only (SET LOCAL)."""
    from privacy.policy import CONSENT_EVIDENCE

    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=CONSENT_EVIDENCE.period_days)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL rekisteri.consent_ledger_purge = 'on'")
        cursor.execute(
            """
            DELETE FROM consent_consentevent WHERE id IN (
                SELECT e.id FROM consent_consentevent e
                JOIN (
                    SELECT contact_id, purpose_id FROM consent_consentevent
                    GROUP BY contact_id, purpose_id HAVING max(at) < %s
                ) old ON old.contact_id = e.contact_id AND old.purpose_id = e.purpose_id
                WHERE NOT EXISTS (
                    SELECT 1 FROM consent_consentstate s
                    WHERE s.contact_id = e.contact_id AND s.purpose_id = e.purpose_id
                      AND s.status = 'valid'
                )
            )
            """,
            [cutoff],
        )
        deleted = cursor.rowcount
    MailingRecipient.objects.filter(mailing__created_at__lt=cutoff).delete()
    return deleted


# --- Mailings ----------------------------------------------------------------------------

MAILING_BATCH = 500
#: A row claimed longer ago than this by a worker that never finished it: that worker died, and
#: whether the mail left is unknown. It is marked failed, never sent again.
CLAIM_TIMEOUT = datetime.timedelta(minutes=10)


class MailingRefused(Exception):
    """The mailing cannot be sent as asked; the message is for the user."""


@transaction.atomic
def mailing_save(*, mailing: Mailing, topics, actor) -> Mailing:
    """Save a draft (the admin's form). A mailing that has started sending is not changed."""
    if mailing.pk and Mailing.objects.filter(pk=mailing.pk).exclude(status=Mailing.Status.DRAFT):
        raise MailingRefused(_("A mailing that has been sent cannot be changed."))
    if mailing.pk is None:
        mailing.created_by = actor
    mailing.full_clean()
    mailing.save()
    wrong = [t for t in topics if t.purpose_id != mailing.purpose_id]
    if wrong:
        raise ValidationError({"topics": _("Choose topics of the mailing's purpose.")})
    mailing.topics.set(topics)
    return mailing


@transaction.atomic(durable=True)
def mailing_send(*, mailing: Mailing, actor) -> int:
    """Start sending: the audience as it is now becomes the mailing's recipients (one row per
    person; a person is in it once), and the sending job is queued when this commits.

    Only a draft can be started: a second click, a second tab or a replayed request finds the
    mailing already sending and is refused, so a mailing is never sent twice."""
    from .tasks import mailing_deliver_task

    now = timezone.now()
    started = Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.DRAFT).update(
        status=Mailing.Status.SENDING, started_at=now, sent_by=actor
    )
    if not started:
        raise MailingRefused(_("This mailing has already been sent or is being sent."))
    mailing.refresh_from_db()
    people = selectors.audience(purpose=mailing.purpose, topics=mailing.topics.all(), now=now)
    sql, params = (
        people.order_by().annotate(person=F("pk")).values("person").query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO consent_mailingrecipient (mailing_id, contact_id, status, error) "  # noqa: S608 (Django's own compiled query)
            f"SELECT %s, audience.person, 'pending', '' FROM ({sql}) audience",
            [mailing.pk, *params],
        )
        count = cursor.rowcount
    Mailing.objects.filter(pk=mailing.pk).update(recipient_count=count)
    mailing.recipient_count = count
    audit.entry(
        mailing,
        LogEntry.Action.UPDATE,
        actor=actor,
        changes={"status": [Mailing.Status.DRAFT, Mailing.Status.SENDING]},
        extra={"recipients": count},
    ).save()
    transaction.on_commit(lambda: mailing_deliver_task.delay(mailing.pk))
    return count


def _claim(mailing: Mailing, now, batch_size: int) -> list[int]:
    with transaction.atomic():
        ids = list(
            MailingRecipient.objects.select_for_update(skip_locked=True)
            .filter(mailing=mailing, status=MailingRecipient.Status.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        MailingRecipient.objects.filter(pk__in=ids).update(
            status=MailingRecipient.Status.CLAIMED, claimed_at=now
        )
    return ids


def mailing_deliver(*, mailing_id: int, now=None, batch_size: int = MAILING_BATCH) -> Mailing:
    """Send a mailing's mails in batches through Django's email backend.

    Each batch is claimed first (its rows become "being sent" and are committed) and only then
    sent, so a worker killed at any point leaves no row that another run would mail again: a
    person is mailed at most once per mailing. Whoever is no longer in the audience when their
    batch comes (withdrew meanwhile) is skipped. Rows a dead worker had claimed are marked
    failed after CLAIM_TIMEOUT. When nothing is left, the mailing is finished and logged.
    """
    mailing = Mailing.objects.select_related("purpose").get(pk=mailing_id)
    if mailing.status != Mailing.Status.SENDING:
        return mailing
    now = now or timezone.now()
    backend = get_connection()
    while ids := _claim(mailing, now, batch_size):
        rows = MailingRecipient.objects.filter(pk__in=ids)
        contact_ids = list(rows.values_list("contact_id", flat=True))
        people = {
            p.pk: p
            for p in selectors.audience(
                purpose=mailing.purpose,
                topics=mailing.topics.all(),
                now=timezone.now(),
                contact_ids=contact_ids,
            ).only("pk", "first_name", "last_name", "email", "preferred_language")
        }
        sent, failed = [], []
        for row_id, contact_id in rows.values_list("pk", "contact_id"):
            person = people.get(contact_id)
            if person is None:
                continue
            try:
                backend.send_messages([mail.marketing_message(mailing=mailing, contact=person)])
            except Exception:
                logger.exception("Mailing %s: a mail failed", mailing.pk)
                failed.append(row_id)
            else:
                sent.append(row_id)
        done = timezone.now()
        rows.filter(pk__in=sent).update(status=MailingRecipient.Status.SENT, sent_at=done)
        rows.filter(pk__in=failed).update(
            status=MailingRecipient.Status.FAILED, error=_("The mail server refused the mail.")
        )
        rows.filter(status=MailingRecipient.Status.CLAIMED).update(
            status=MailingRecipient.Status.SKIPPED
        )
        _count(mailing)
    return _finish(mailing, now)


def _count(mailing: Mailing) -> None:
    statuses = dict(
        MailingRecipient.objects.filter(mailing=mailing)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    Mailing.objects.filter(pk=mailing.pk).update(
        sent_count=statuses.get(MailingRecipient.Status.SENT, 0),
        failed_count=statuses.get(MailingRecipient.Status.FAILED, 0),
    )


def _finish(mailing: Mailing, now) -> Mailing:
    MailingRecipient.objects.filter(
        mailing=mailing,
        status=MailingRecipient.Status.CLAIMED,
        claimed_at__lt=now - CLAIM_TIMEOUT,
    ).update(
        status=MailingRecipient.Status.FAILED,
        error=_("Interrupted: not sent again, so that nobody gets it twice."),
    )
    _count(mailing)
    open_rows = MailingRecipient.objects.filter(
        mailing=mailing,
        status__in=[MailingRecipient.Status.PENDING, MailingRecipient.Status.CLAIMED],
    ).exists()
    if open_rows:
        mailing.refresh_from_db()
        return mailing
    finished = Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SENDING).update(
        status=Mailing.Status.SENT, finished_at=timezone.now()
    )
    mailing.refresh_from_db()
    if finished:
        audit.entry(
            mailing,
            LogEntry.Action.UPDATE,
            changes={"status": [Mailing.Status.SENDING, Mailing.Status.SENT]},
            extra={
                "recipients": mailing.recipient_count,
                "sent": mailing.sent_count,
                "failed": mailing.failed_count,
            },
        ).save()
        logger.info(
            "Mailing %s finished: %s sent, %s failed of %s",
            mailing.pk,
            mailing.sent_count,
            mailing.failed_count,
            mailing.recipient_count,
        )
    return mailing


def mailings_resume() -> list[int]:
    """Queue the job again for mailings still sending (a worker died, the broker lost the task):
    the claimed rows make the rerun safe."""
    from .tasks import mailing_deliver_task

    ids = list(Mailing.objects.filter(status=Mailing.Status.SENDING).values_list("pk", flat=True))
    for pk in ids:
        mailing_deliver_task.delay(pk)
    return ids


def service_message_send(*, contact: Contact, subject: str, body: str) -> int:
    """A service message (about an event the person registered for, their request): a separate
    kind of mail that does not depend on marketing consent. The only kind that ignores it; it
    carries no unsubscribe header because it is not marketing."""
    return mail.service_message(contact=contact, subject=subject, body=body).send()
