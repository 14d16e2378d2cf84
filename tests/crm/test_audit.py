"""Every change to personal data and every staff view of a person is in the audit trail."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from auditlog.models import LogEntry
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.utils import translation

from crm import audit, roles, services
from crm.models import ApiClient, Contact, Interaction
from privacy.models import AccessedPerson
from tests.conftest import STAFF_PASSWORD
from tests.factories import ContactFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _posted_back(page, **changes) -> dict:
    """What a browser sends when the form on ``page`` is saved with ``changes``: the page's own
    fields and its inlines' forms, nothing the page does not have."""
    data = {}
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            data[form.add_prefix(name)] = "" if value is None else str(value)
    unknown = set(changes) - set(data)
    assert not unknown, f"the page has no field {unknown}"
    return {**data, **changes}


def test_a_change_in_the_admin_records_who_what_before_and_after(sales):
    contact = ContactFactory(first_name="Liisa", last_name="Laine", email="liisa@example.com")
    MembershipFactory(contact=contact)  # the page lists it in an inline, posted back unchanged
    page = sales.client.get(f"/admin/crm/contact/{contact.pk}/change/")

    response = sales.client.post(
        f"/admin/crm/contact/{contact.pk}/change/",
        _posted_back(page, last_name="Lahtinen"),
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    entry = LogEntry.objects.get_for_object(contact).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == sales.user
    assert entry.remote_addr == "192.0.2.10"
    assert entry.changes_dict["last_name"] == ["Laine", "Lahtinen"]


def test_opening_a_persons_page_is_recorded(dpo):
    contact = ContactFactory()

    dpo.client.get(f"/admin/crm/contact/{contact.pk}/change/", REMOTE_ADDR="192.0.2.44")

    entry = LogEntry.objects.get_for_object(contact).get(action=LogEntry.Action.ACCESS)
    assert entry.actor == dpo.user
    assert entry.remote_addr == "192.0.2.44"


def test_a_service_change_is_audited_in_the_same_transaction():
    contact = services.contact_create(
        source=Contact.Source.STAFF, first_name="Aku", last_name="Ankka", email="AKU@Example.com"
    ).instance

    assert contact.email == "aku@example.com"
    assert LogEntry.objects.get_for_object(contact).filter(action=LogEntry.Action.CREATE).exists()

    with pytest.raises(ValidationError):
        services.contact_update(contact=contact, postal_code="ABC")
    assert LogEntry.objects.get_for_object(contact).count() == 1
    assert Contact.objects.get(pk=contact.pk).postal_code == ""


def test_the_dpo_can_read_and_filter_the_audit_trail(dpo):
    ContactFactory()

    response = dpo.client.get("/admin/auditlog/logentry/?action__exact=0")

    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


def _people_seen_by(user) -> set[int]:
    """The people the user's access entries name (a page of several people: one entry)."""
    named = AccessedPerson.objects.filter(entry__action=LogEntry.Action.ACCESS, entry__actor=user)
    return set(named.values_list("contact_id", flat=True))


def test_a_list_page_logs_each_person_it_shows(sales):
    shown = ContactFactory.create_batch(3)

    sales.client.get("/admin/crm/contact/?q=" + shown[0].email)

    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=sales.user)
    assert [e.object_pk for e in entries] == [str(shown[0].pk)]


def test_opening_an_interaction_is_logged_for_its_person(support):
    person = ContactFactory()
    chat = Interaction.objects.create(contact=person, kind="chat", summary="Chat", transcript="Hei")

    support.client.get(f"/admin/crm/interaction/{chat.pk}/change/")

    assert _people_seen_by(support.user) == {person.pk}


def test_the_interaction_list_logs_the_person_of_each_row(support):
    listed = [ContactFactory(), ContactFactory()]
    for person in listed:
        Interaction.objects.create(contact=person, kind="call", summary="Soitto")

    support.client.get("/admin/crm/interaction/")

    assert _people_seen_by(support.user) == {p.pk for p in listed}


def test_an_organisations_page_logs_the_people_it_lists(sales):
    """The page lists its people's work email and phone: each of them was seen."""
    membership = MembershipFactory()
    colleague = MembershipFactory(organisation=membership.organisation)
    MembershipFactory()  # someone elsewhere

    sales.client.get("/admin/crm/organisation/")
    assert _people_seen_by(sales.user) == set()  # the list shows counts, nobody's data

    sales.client.get(f"/admin/crm/organisation/{membership.organisation.pk}/change/")
    assert _people_seen_by(sales.user) == {membership.contact.pk, colleague.contact.pk}


def test_a_roles_page_and_list_log_its_person(sales):
    membership = MembershipFactory()

    sales.client.get(f"/admin/crm/membership/{membership.pk}/change/")
    assert _people_seen_by(sales.user) == {membership.contact.pk}

    other = MembershipFactory()
    sales.client.get("/admin/crm/membership/")
    assert _people_seen_by(sales.user) == {membership.contact.pk, other.contact.pk}


def test_a_new_api_token_never_travels_in_a_cookie(administrator):
    response = administrator.client.post(
        "/admin/crm/apiclient/add/",
        {"name": "Lomake", "scopes": ["contacts:write"], "is_active": "on"},
        follow=True,
    )

    token_message = [str(m) for m in response.context["messages"] if "rk_" in str(m)]
    assert token_message
    # Shown once, set apart to copy (markup, not escaped text).
    assert re.search(r"<code>rk_[\w-]+</code>", response.content.decode())
    # Messages live in the server-side session: no "messages" cookie carries the token.
    assert "messages" not in response.client.cookies


# --- Staff accounts and API clients -----------------------------------------------------------


def _entries_about(row):
    return LogEntry.objects.get_for_object(row).order_by("timestamp", "pk")


def _user_form(user, **changes) -> dict:
    """The staff account's admin form as an administrator posts it (the fields they may edit)."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "groups": [g.pk for g in user.groups.all()],
        # Shown read-only to an administrator; a superuser's form has it as a field.
        "date_joined_0": user.date_joined.strftime("%d.%m.%Y"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data |= {flag: "on" for flag in ("is_active", "is_staff") if getattr(user, flag)}
    data |= changes
    return {k: v for k, v in data.items() if v is not None}


def test_a_role_given_to_a_staff_member_is_audited_and_the_dpo_reads_it(administrator, dpo):
    newcomer = User.objects.create_user(username="uusi", email="uusi@staff.example.com")
    sales_role = Group.objects.get(name=roles.SALES)

    response = administrator.client.post(
        f"/admin/auth/user/{newcomer.pk}/change/",
        _user_form(newcomer, groups=[sales_role.pk], is_staff="on"),
        REMOTE_ADDR="192.0.2.7",
    )
    assert response.status_code == 302

    entries = list(_entries_about(newcomer).filter(actor=administrator.user))
    changes = {name: change for e in entries for name, change in e.changes_dict.items()}
    assert changes["is_staff"] == ["False", "True"]
    assert changes["groups"]["objects"] == [roles.SALES]

    page = dpo.client.get(f"/admin/auditlog/logentry/?staff={administrator.user.pk}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "192.0.2.7" in text
    group_entry = next(e for e in entries if "groups" in e.changes_dict)
    detail = dpo.client.get(f"/admin/auditlog/logentry/{group_entry.pk}/change/").content.decode()
    assert "Ryhmät" in detail
    assert f"lisätty: {roles.SALES}" in detail


def test_activation_and_the_superuser_flag_are_audited(superuser):
    staff = User.objects.create_user(
        username="kausi", email="kausi@staff.example.com", password=STAFF_PASSWORD
    )

    superuser.client.post(
        f"/admin/auth/user/{staff.pk}/change/",
        _user_form(staff, is_active=None, is_superuser="on"),
    )

    entry = _entries_about(staff).filter(action=LogEntry.Action.UPDATE).last()
    assert entry.actor == superuser.user
    assert entry.changes_dict["is_active"] == ["True", "False"]
    assert entry.changes_dict["is_superuser"] == ["False", "True"]


def test_a_password_change_is_audited_as_a_fact_without_the_hash(sales, dpo):
    new_password = "another-Long-passphrase-2"
    response = sales.client.post(
        "/accounts/password/change/",
        {"oldpassword": STAFF_PASSWORD, "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302

    sales.user.refresh_from_db()
    entry = _entries_about(sales.user).get(
        action=LogEntry.Action.UPDATE, changes__has_key="password"
    )
    assert entry.actor == sales.user
    assert entry.changes_dict["password"] == ["***", "***"]
    stored = str(entry.changes) + entry.changes_text + str(entry.serialized_data)
    assert sales.user.password not in stored
    assert sales.user.password.split("$")[-1] not in stored
    detail = dpo.client.get(f"/admin/auditlog/logentry/{entry.pk}/change/").content.decode()
    assert "Salasana" in detail and "vaihdettu" in detail


def test_an_api_client_is_audited_from_creation_to_revocation(administrator, dpo):
    administrator.client.post(
        "/admin/crm/apiclient/add/",
        {"name": "Lomake", "scopes": ["contacts:write"], "is_active": "on"},
    )
    client = ApiClient.objects.get(name="Lomake")
    administrator.client.post(
        f"/admin/crm/apiclient/{client.pk}/change/", {"scopes": ["contacts:write"]}
    )

    created, revoked = _entries_about(client)
    assert (created.action, created.actor) == (LogEntry.Action.CREATE, administrator.user)
    assert revoked.changes_dict["is_active"] == ["True", "False"]
    assert revoked.actor == administrator.user
    detail = dpo.client.get(f"/admin/auditlog/logentry/{created.pk}/change/").content.decode()
    assert "Luoda ja muuttaa henkilöitä" in detail  # the scope's name, not "['contacts:write']"
    assert "contacts:write" not in detail


def test_a_deleted_staff_members_entries_still_name_them(sales, administrator, dpo):
    contact = ContactFactory()
    quiet = User.objects.create_user(username="hiljainen", is_staff=True)  # no email address
    with audit.audit_actor(sales.user):
        services.contact_update(contact=contact, first_name="Olli")
    with audit.audit_actor(quiet):
        services.contact_update(contact=contact, first_name="Kalle")

    sales.user.delete()
    quiet.delete()

    by_sales, by_quiet = _entries_about(contact).filter(action=LogEntry.Action.UPDATE)
    assert (by_sales.actor, by_sales.actor_email) == (None, "sales@staff.example.com")
    assert (by_quiet.actor, by_quiet.actor_email) == (None, "hiljainen")
    page = dpo.client.get(f"/admin/auditlog/logentry/?person={contact.pk}").content.decode()
    assert "sales@staff.example.com (tili poistettu)" in page
    assert "hiljainen (tili poistettu)" in page


# --- The audit log as the DPO reads it ------------------------------------------------------


def test_the_audit_log_speaks_finnish_and_shows_readable_values(sales, dpo):
    contact = ContactFactory(first_name="Liisa")
    sales.client.get(f"/admin/crm/contact/{contact.pk}/change/", REMOTE_ADDR="192.0.2.44")
    with audit.audit_actor(sales.user, remote_addr="192.0.2.45"):
        services.contact_update(contact=contact, preferred_language="sv")

    page = dpo.client.get("/admin/auditlog/logentry/")
    text = page.content.decode()

    assert page.status_code == 200
    assert "Lokimerkinnät" in text  # the model's name, not "log entries"
    for english in ("log entr", "Resource", "Correlation", "system", "update", "access"):
        assert english not in text, english
    assert "192.0.2.44" in text and "192.0.2.45" in text
    assert "katsottu" in text and "muutettu" in text
    assert not re.search(r"\d:\d\d\.\d{6}|\d:\d\d:\d\d\.\d", text)  # no microseconds
    entry = _entries_about(contact).get(action=LogEntry.Action.UPDATE)
    detail = dpo.client.get(f"/admin/auditlog/logentry/{entry.pk}/change/").content.decode()
    assert "ruotsi" in detail.lower()  # the language's name, not its code


def test_the_audit_log_in_swedish(dpo):
    """(The admin's pages take the site's language; the labels are in the catalogue.)"""
    ContactFactory()
    page = dpo.client.get("/admin/auditlog/logentry/")
    admin_class = page.context["cl"].model_admin
    entry = page.context["cl"].result_list[0]

    with translation.override("sv"):
        assert str(admin_class.what(entry)) == "tillagd"
        assert str(LogEntry._meta.verbose_name_plural) == "loggposter"
        assert admin_class.entry_time(entry).count(":") == 2  # 14:05:09, to the second


def test_the_audit_log_filters_by_person_including_their_rows(sales, dpo):
    person, other = ContactFactory(), ContactFactory()
    role = MembershipFactory(contact=person)
    MembershipFactory(contact=other)

    listed = dpo.client.get(f"/admin/auditlog/logentry/?person={person.pk}").context["cl"]

    shown = {(e.content_type.model, e.object_id) for e in listed.result_list}
    assert shown == {("contact", person.pk), ("membership", role.pk)}
    # Reading someone's trail is itself an access to their data.
    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, actor=dpo.user, object_id=person.pk
    ).exists()


@pytest.mark.parametrize("value", ["abc", "1\x00", "-1", "9" * 30])
def test_odd_filter_values_answer_without_an_error(dpo, value):
    for name in ("person", "staff", "action", "kind", "q"):
        response = dpo.client.get("/admin/auditlog/logentry/", {name: value})
        assert response.status_code in (200, 302), (name, value)


def test_a_merge_reads_as_what_it_moved_and_filled(sales, dpo):
    kept = ContactFactory(first_name="Heli", phone="")
    twin = ContactFactory(first_name="Heli", phone="+358401234567")
    role = MembershipFactory(contact=twin)

    services.contact_merge(survivor=kept, duplicate=twin, actor=sales.user)

    page = dpo.client.get(f"/admin/auditlog/logentry/?person={kept.pk}")
    text = page.content.decode()
    assert f"yhdistetty henkilöön #{twin.pk}" not in text  # (it is the other way round)
    assert f"yhdistetty henkilö #{twin.pk}" in text
    assert "None" not in text
    shown = {(e.content_type.model, e.object_id) for e in page.context["cl"].result_list}
    assert ("membership", role.pk) in shown  # the role the merge moved
    merge = _entries_about(kept).get(changes__has_key="merged_from")
    detail = dpo.client.get(f"/admin/auditlog/logentry/{merge.pk}/change/").content.decode()
    assert "Puhelin" in detail and "+358401234567" in detail  # what it filled
    moved = _entries_about(role).get(additional_data__merged_from=twin.pk)
    detail = dpo.client.get(f"/admin/auditlog/logentry/{moved.pk}/change/").content.decode()
    assert f"#{twin.pk}" in detail and f"{kept} (#{kept.pk})" in detail
    assert "yhdistämisessä" in detail


def test_adding_and_removing_an_authenticator_is_audited_on_the_account(superuser, dpo):
    staff = User.objects.create_user(username="puhelin", password=STAFF_PASSWORD, is_staff=True)
    with audit.audit_actor(staff, remote_addr="192.0.2.9"):
        TOTP.activate(staff, generate_totp_secret())
    totp = Authenticator.objects.get(user=staff, type="totp")

    superuser.client.post(f"/admin/mfa/authenticator/{totp.pk}/delete/", {"post": "yes"})

    added, removed = _entries_about(staff).filter(changes__has_key="authenticator")
    assert (added.actor, added.remote_addr) == (staff, "192.0.2.9")
    assert removed.actor == superuser.user
    assert removed.changes_dict["authenticator"]["operation"] == "delete"
    assert "secret" not in str(added.changes)
    detail = dpo.client.get(f"/admin/auditlog/logentry/{removed.pk}/change/").content.decode()
    assert "poistettu: todennussovellus" in detail
