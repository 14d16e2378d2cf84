"""Every admin page, opened by every role, shows only what that role may see.

The walk opens the index, each app's index, and every page of every registered model (its list,
add, change, history and delete pages, and the register's own pages: merge and import), as each
role and as staff without a role and a superuser. On every page that opens it checks what is
shown, not only the status: rows of a model the role may not view do not appear in any summary or
inline, actions and links appear only with the permission they need, and every link into the
admin leads to a page the role may open.
"""

import copy
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from consent import services as consent_services
from consent.models import Mailing, Purpose
from crm import services
from crm.models import ApiClient, Contact, Interaction, Membership
from events import shredder, staff
from events.models import Disclosure, Event, Question, Registration, ShredRun
from privacy import requests as privacy_requests
from privacy.demo import CUSTOMER_REGISTER
from privacy.models import Breach, Register, RightsRequest
from privacy.services import breach_save, register_load
from privacy.suppression import suppression_add
from tests.conftest import ROLES
from tests.events.staff_fixtures import caterer, diet_question, make_event
from tests.events.staff_fixtures import register as event_register
from tests.factories import ContactFactory, MembershipFactory

pytestmark = pytest.mark.django_db

EVERYONE = [*ROLES, "staff_without_role", "superuser"]
INTERACTION_SUMMARY = "Kysyi tarjousta kuntosalilaitteista"
API_CLIENT_NAME = "Verkkokaupan integraatio"
# Links a page may carry whatever the role: signing out is a POST, the password is changed on
# the staff account's own pages.
NOT_WALKED = ("/admin/logout/",)


@pytest.fixture(params=EVERYONE)
def anyone(request):
    return request.getfixturevalue(request.param)


@pytest.fixture
def register(db, purpose):
    """A person with a role, an interaction and a likely duplicate, and one row of every other
    registered model."""
    colleague = User.objects.create_user(username="kollega", is_staff=True)
    person = ContactFactory(first_name="Heli", last_name="Aalto", phone="+358401112233")
    duplicate = ContactFactory(first_name="Heli", last_name="Aalto", phone="+358401112233")
    membership = MembershipFactory(contact=person)
    interaction = services.interaction_create(
        contact=person, kind="call", summary=INTERACTION_SUMMARY, staff=colleague
    ).instance
    api_client, _token = services.api_client_create(name=API_CLIENT_NAME, scopes=["contacts:read"])
    email = EmailAddress.objects.create(user=colleague, email="kollega@staff.example.com")
    consent_services.consent_give(
        contact=person,
        purpose=purpose,
        evidence=consent_services.Evidence(source="staff", detail="Sanna", note="Puhelimessa"),
    )
    mailing = Mailing.objects.create(purpose=purpose, subject_fi="Uutiskirje", body_fi="Hei!")
    event = make_event(ended_days_ago=2)
    question = diet_question(event)
    registration = event_register(event, diet="vegaani")
    recipient = caterer(event, question)
    disclosure = staff.disclosure_send(recipient=recipient, actor=colleague).disclosure
    shred_run = shredder.shred_event(
        event=make_event(ended_days_ago=3), actor=colleague, early=True
    )
    rights_request = privacy_requests.staff_request_record(
        type="restriction",
        contact=person,
        channel="phone",
        identity_check="Called back to the number in the register",
        language="fi",
        actor=colleague,
    )
    suppression_add(email="kielletty@example.fi", reason="objection")
    privacy_register = register_load(document=copy.deepcopy(CUSTOMER_REGISTER))
    breach = breach_save(
        breach=Breach(discovered_at=timezone.now(), nature="Kadonnut muistitikku", categories=[])
    )
    return {
        Register: privacy_register,
        Breach: breach,
        Contact: person,
        Membership: membership,
        Interaction: interaction,
        ApiClient: api_client.instance,
        User: colleague,
        EmailAddress: email,
        Purpose: purpose,
        Mailing: mailing,
        Event: event,
        Question: question,
        Registration: registration,
        Disclosure: disclosure,
        ShredRun: shred_run,
        RightsRequest: rights_request,
        "duplicate": duplicate,
    }


def _object_of(model, register):
    if model in register:
        return register[model]
    return model._default_manager.order_by("pk").first()  # a group, a municipality, a log entry


def _pages(register) -> list[str]:
    """Every admin page a staff member can be sent to, with a row for the row's own pages."""
    person, duplicate = register[Contact], register["duplicate"]
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        pages.append(reverse("admin:app_list", args=[opts.app_label]))
        name = f"admin:{opts.app_label}_{opts.model_name}"
        pages += [reverse(f"{name}_changelist"), reverse(f"{name}_add")]
        obj = _object_of(model, register)
        assert obj is not None, f"the walk needs a {opts.label} row"
        for action in ("change", "history", "delete"):
            pages.append(reverse(f"{name}_{action}", args=[obj.pk]))
    pages += [
        reverse("admin:crm_contact_merge") + f"?into={person.pk}&merge={duplicate.pk}",
        reverse("admin:crm_contact_import"),
        *(
            reverse(f"admin:events_event_{name}", args=[register[Event].pk])
            for name in ("statistics", "send", "shred", "register")
        ),
    ]
    return list(dict.fromkeys(pages))


HREF = re.compile(r'href="([^"]+)"')


def _admin_links(html: str) -> set[str]:
    links = set()
    for href in HREF.findall(html):
        url = unescape(href)
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/admin/"):
            continue
        if parts.path.startswith(NOT_WALKED) or parts.path.startswith("/admin/jsi18n/"):
            continue
        links.add(url)
    return links


def _may(user, perm: str) -> bool:
    return user.is_active and user.has_perm(perm)


def test_every_page_shows_each_role_only_what_it_may_see(anyone, register):
    user, client = anyone
    may_view_interactions = _may(user, "crm.view_interaction")
    may_view_api_clients = _may(user, "crm.view_apiclient")
    may_merge = _may(user, "crm.merge_contacts") and _may(user, "crm.change_contact")
    shown, links = {}, {}
    for url in _pages(register):
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200:
            continue
        html = response.content.decode()
        shown[url] = html
        for link in _admin_links(html):
            links.setdefault(link, url)

    assert shown, "the walk opened no page at all"
    for url, html in shown.items():
        if not may_view_interactions:
            assert INTERACTION_SUMMARY not in html, f"{url} shows an interaction"
            assert "/admin/crm/interaction/" not in html, f"{url} links to interactions"
        if not may_view_api_clients:
            assert API_CLIENT_NAME not in html, f"{url} shows an API client"
        if not may_merge:
            assert "merge_contacts" not in html, f"{url} offers the merge action"
            assert "/admin/crm/contact/merge/" not in html, f"{url} links to a merge"

    broken = {}
    for link, page in sorted(links.items()):
        response = client.get(link)
        if response.status_code != 200:
            broken[link] = (response.status_code, page)
    assert not broken, f"links to pages {user.username} may not open: {broken}"


@pytest.mark.parametrize("role", ["sales", "support", "dpo", "administrator"])
def test_roles_that_see_interactions_see_a_persons_latest_ones(request, role, register):
    client = request.getfixturevalue(role).client
    page = client.get(reverse("admin:crm_contact_change", args=[register[Contact].pk]))

    assert INTERACTION_SUMMARY in page.content.decode()


@pytest.mark.parametrize("role", ["sales", "administrator"])
def test_roles_that_merge_are_offered_the_merge(request, role, register):
    client = request.getfixturevalue(role).client
    person = register[Contact]
    page = client.get(reverse("admin:crm_contact_change", args=[person.pk])).content.decode()
    listing = client.get(reverse("admin:crm_contact_changelist")).content.decode()

    assert "/admin/crm/contact/merge/" in page
    assert 'value="merge_contacts"' in listing
