"""The consent ledger on a person's page in the staff admin (crm's ContactAdmin), shown to
staff who may view the ledger, with a link to record a consent given on paper or by phone."""

from django import template
from django.utils import timezone

from consent import selectors
from consent.models import ConsentState
from consent.services import ledger_fold

register = template.Library()


@register.inclusion_tag("admin/consent/ledger.html", takes_context=True)
def consent_ledger(context, contact):
    user = context["request"].user
    if contact is None or contact.pk is None or not user.has_perm("consent.view_consentevent"):
        return {"shown": False}
    # One query: the summary per purpose is the fold of the ledger rows shown below (the same
    # fold that writes the state table), so the person's page stays within its query budget.
    events = list(selectors.ledger_of(contact=contact))
    by_purpose = {}
    for event in events:
        by_purpose.setdefault(event.purpose, []).append(event)
    now = timezone.now()
    states = []
    for purpose, rows in by_purpose.items():
        state = ledger_fold(rows)
        if state is None:
            continue
        if state["status"] == ConsentState.Status.VALID and state["expires_at"] <= now:
            state["status"] = ConsentState.Status.EXPIRED
        state["status_display"] = ConsentState.Status(state["status"]).label
        states.append({"purpose": purpose, **state})
    return {
        "shown": True,
        "contact": contact,
        "states": states,
        "events": events,
        "can_record": user.has_perm("consent.add_consentevent"),
    }
