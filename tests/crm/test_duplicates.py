"""Finding and merging duplicate people without losing their history or provenance."""

import datetime
import re
from html import unescape

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from crm import services
from crm.models import Contact, ContactMerge, Interaction, Membership
from crm.selectors import contact_duplicates, contacts_by_email
from privacy.selectors import personal_data_for_contact
from tests.factories import ContactFactory, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_the_same_person_is_found_by_email_phone_or_name_in_the_same_organisation():
    org = OrganisationFactory()
    person = ContactFactory(
        first_name="Päivi", last_name="Mäkelä", email="paivi@koti.fi", phone="+358401111111"
    )
    MembershipFactory(contact=person, organisation=org)
    by_work_email = ContactFactory(email="other@example.com")
    MembershipFactory(contact=by_work_email, work_email="paivi@koti.fi")
    by_phone = ContactFactory(phone="+358401111111")
    by_name = ContactFactory(first_name="Paivi", last_name="Makela")  # no dots, same organisation
    MembershipFactory(contact=by_name, organisation=org)
    namesake_elsewhere = ContactFactory(first_name="Päivi", last_name="Mäkelä")
    MembershipFactory(contact=namesake_elsewhere)

    found = contact_duplicates(person)

    assert {c.pk for c in found} == {by_work_email.pk, by_phone.pk, by_name.pk}


def test_merging_moves_everything_fills_gaps_and_keeps_provenance(sales):
    actor = sales.user
    org = OrganisationFactory()
    keep = ContactFactory(first_name="Päivi", email="paivi@example.com", phone="", source="staff")
    MembershipFactory(contact=keep, organisation=org, job_title="")
    gone = ContactFactory(
        first_name="Paivi",
        email="p.makela@example.com",
        phone="+358402222222",
        source="import",
        source_detail="webropol.csv",
    )
    MembershipFactory(contact=gone, organisation=org, job_title="Rehtori")
    MembershipFactory(contact=gone)
    Interaction.objects.create(contact=gone, kind="call", summary="Soitti kurssista")
    gone_pk = gone.pk

    services.contact_merge(survivor=keep, duplicate=gone, actor=actor)

    keep.refresh_from_db()
    assert not Contact.objects.filter(pk=gone_pk).exists()
    assert keep.email == "paivi@example.com" and str(keep.phone) == "+358402222222"
    roles_kept = Membership.objects.filter(contact=keep)
    assert roles_kept.count() == 2  # the two roles in one organisation became one
    assert roles_kept.get(organisation=org).job_title == "Rehtori"
    assert Interaction.objects.get().contact == keep
    merge = ContactMerge.objects.get()
    assert merge.merged_contact_id == gone_pk and merge.merged_by == actor
    assert merge.merged_values["source_detail"] == "webropol.csv"
    assert merge.merged_values["email"] == "p.makela@example.com"
    # The person's access answer includes what the merged record held.
    assert any(r.model_label == "crm.ContactMerge" for r in personal_data_for_contact(keep))
    # The audit trail has the merge on the kept record and the removal under the old id.
    assert LogEntry.objects.filter(
        object_pk=str(keep.pk), additional_data__merged_from=gone_pk
    ).exists()
    assert LogEntry.objects.filter(object_pk=str(gone_pk), action=LogEntry.Action.DELETE).exists()


def test_the_survivor_takes_the_duplicates_email_when_it_has_none():
    keep = ContactFactory(email="")
    gone = ContactFactory(email="only@example.com")

    services.contact_merge(survivor=keep, duplicate=gone, actor=None)

    keep.refresh_from_db()
    assert keep.email == "only@example.com"


def test_a_contact_is_not_merged_into_itself():
    person = ContactFactory()

    with pytest.raises(ValidationError):
        services.contact_merge(survivor=person, duplicate=person, actor=None)
    assert Contact.objects.filter(pk=person.pk).exists()


def test_merging_in_the_admin(sales):
    keep, gone = ContactFactory(), ContactFactory()

    page = sales.client.post(
        "/admin/crm/contact/",
        {"action": "merge_contacts", "_selected_action": [keep.pk, gone.pk]},
    )
    assert page.status_code == 200
    assert "admin/crm/contact/merge.html" in [t.name for t in page.templates]

    response = sales.client.post(
        "/admin/crm/contact/merge/",
        {"survivor": keep.pk, "contact": [keep.pk, gone.pk]},
    )

    assert response.status_code == 302
    assert list(Contact.objects.values_list("pk", flat=True)) == [keep.pk]


@pytest.mark.parametrize(
    "staff_member", ["marketing", "support", "event_organiser", "dpo"], indirect=True
)
def test_only_sales_and_administrators_merge(staff_member):
    keep, gone = ContactFactory(), ContactFactory()

    response = staff_member.client.post(
        "/admin/crm/contact/merge/", {"survivor": keep.pk, "contact": [keep.pk, gone.pk]}
    )

    assert response.status_code == 403
    assert Contact.objects.count() == 2


def test_the_contact_page_lists_possible_duplicates(sales, support):
    person = ContactFactory(phone="+358403333333")
    twin = ContactFactory(phone="+358403333333", first_name="Kaksonen", email="k@example.com")
    ContactFactory(phone="+358404444444")  # somebody else

    page = sales.client.get(f"/admin/crm/contact/{person.pk}/change/").content.decode()
    without_merge = support.client.get(f"/admin/crm/contact/{person.pk}/change/").content.decode()

    link = f'<a href="/admin/crm/contact/{twin.pk}/change/">{twin} &lt;k@example.com&gt;</a>'
    assert link in page and link in without_merge
    assert f"/admin/crm/contact/merge/?into={person.pk}&amp;merge={twin.pk}" in page
    assert page.count("merge=") == 1
    assert "merge=" not in without_merge  # support may not merge: no link to a 403


def test_merge_into_this_one_opens_the_confirmation_for_the_two(sales):
    person = ContactFactory(phone="+358403333333", last_name="Pysyvä")
    twin = ContactFactory(phone="+358403333333", last_name="Kaksonen")
    page = sales.client.get(f"/admin/crm/contact/{person.pk}/change/").content.decode()
    (href,) = re.findall(r'href="([^"]*merge=[^"]*)"', page)

    confirmation = sales.client.get(unescape(href))

    assert confirmation.status_code == 200
    assert confirmation.templates[0].name == "admin/crm/contact/merge.html"
    assert [p.pk for p, _counts in confirmation.context["people"]] == [person.pk, twin.pk]
    assert confirmation.context["survivor_pk"] == person.pk  # "into this one"


def test_a_person_without_duplicates_is_told_so(support):
    person = ContactFactory(phone="+358405555555")

    page = support.client.get(f"/admin/crm/contact/{person.pk}/change/").content.decode()

    assert "Ei löytynyt." in page and "merge=" not in page


def test_an_ended_role_is_history_and_is_not_merged_away():
    org = OrganisationFactory()
    keep, gone = ContactFactory(), ContactFactory()
    MembershipFactory(contact=keep, organisation=org, end_date=None, start_date=None)
    MembershipFactory(
        contact=gone,
        organisation=org,
        start_date=datetime.date(2019, 1, 1),
        end_date=datetime.date(2020, 1, 1),
    )

    services.contact_merge(survivor=keep, duplicate=gone, actor=None)

    assert keep.memberships.count() == 2
    assert keep.memberships.filter(end_date__isnull=True).count() == 1


@pytest.mark.parametrize("query", ["?into=abc&merge=1", "?into=1&merge=", "?into=-1&merge=2"])
def test_bad_ids_in_the_merge_page_are_a_404_not_a_crash(sales, query):
    assert sales.client.get(f"/admin/crm/contact/merge/{query}").status_code == 404


def test_every_row_a_merge_moves_is_in_the_audit_trail(sales):
    actor = sales.user
    keep, gone = ContactFactory(), ContactFactory()
    note = Interaction.objects.create(contact=gone, kind="note", summary="Muistiinpano")

    services.contact_merge(survivor=keep, duplicate=gone, actor=actor)

    entry = LogEntry.objects.get_for_object(note).get(action=LogEntry.Action.UPDATE)
    assert entry.changes_dict["contact"] == [str(gone.pk), str(keep.pk)]
    assert entry.actor == actor


def test_a_merged_duplicates_address_still_finds_the_kept_person(sales):
    keep = ContactFactory(email="aino@example.com")
    gone = ContactFactory(email="aino.vanha@example.com")
    services.contact_merge(survivor=keep, duplicate=gone, actor=None)

    assert ContactMerge.objects.get().merged_email == "aino.vanha@example.com"
    assert contacts_by_email(["aino.vanha@example.com", "muu@example.com"]) == {
        "aino.vanha@example.com": keep
    }
    found = sales.client.get("/admin/crm/contact/", {"q": "aino.vanha@example.com"})
    assert [c.pk for c in found.context["cl"].result_list] == [keep.pk]


def test_an_address_the_kept_person_took_over_is_not_recorded_twice():
    keep = ContactFactory(email="")
    gone = ContactFactory(email="aino@example.com")

    services.contact_merge(survivor=keep, duplicate=gone, actor=None)

    assert ContactMerge.objects.get().merged_email == ""


# --- Each kind of row follows the merge as its declaration says --------------------------------


@pytest.fixture
def ledger(monkeypatch):
    """An append-only ledger of a person's choices (as the consent ledger will be), with a table
    of its own for the test, declared MergeRule.APPEND."""
    from django.db import connection, models
    from django.test.utils import isolate_apps

    from privacy import declarations
    from privacy.declarations import Category, MergeRule, RowErasure, personal, subject_link
    from privacy.policy import CUSTOMER_RELATIONSHIP, WHILE_CUSTOMER

    with isolate_apps("crm"):

        class Ledger(models.Model):
            # Rows outlive the person's row: the duplicate's entries stay under its old id.
            contact = models.ForeignKey(
                Contact, models.DO_NOTHING, db_constraint=False, related_name="+"
            )
            event = models.CharField(max_length=20)

            class Meta:
                app_label = "crm"

    registry = declarations.DeclarationRegistry()
    declaration = registry.declare(
        Ledger,
        subject="contact",
        erase=RowErasure.DELETE,
        merge=MergeRule.APPEND,
        fields={
            "contact": subject_link(),
            "event": personal(
                Category.CONSENT, purpose=CUSTOMER_RELATIONSHIP, retention=WHILE_CUSTOMER
            ),
        },
    )
    monkeypatch.setitem(declarations.registry._declarations, "crm.Ledger", declaration)
    with connection.schema_editor() as editor:
        editor.create_model(Ledger)
    yield Ledger
    with connection.schema_editor() as editor:
        editor.delete_model(Ledger)


@pytest.mark.django_db(transaction=True)
def test_an_appended_ledger_gets_new_rows_and_its_old_rows_are_never_rewritten(ledger):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    keep, gone = ContactFactory(), ContactFactory()
    ledger.objects.create(contact=keep, event="given")
    old = [ledger.objects.create(contact=gone, event=e) for e in ("given", "withdrawn")]
    gone_pk = gone.pk

    with CaptureQueriesContext(connection) as queries:
        services.contact_merge(survivor=keep, duplicate=gone, actor=None)

    table = ledger._meta.db_table
    assert not [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("UPDATE", "DELETE")) and table in q["sql"]
    ]
    for row in old:  # untouched, still under the duplicate's id
        assert ledger.objects.filter(pk=row.pk, contact_id=gone_pk, event=row.event).exists()
    appended = ledger.objects.filter(contact=keep).exclude(pk__lt=old[-1].pk + 1)
    assert sorted(appended.values_list("event", flat=True)) == ["given", "withdrawn"]
    # The person's access answer finds the old rows through the merge tombstone too.
    events = [
        v.value
        for r in personal_data_for_contact(keep)
        if r.model_label == "crm.Ledger"
        for v in r.values
        if v.field == "event"
    ]
    assert sorted(events) == ["given", "given", "given", "withdrawn", "withdrawn"]


@pytest.mark.django_db(transaction=True)
def test_rows_declared_keep_stay_under_the_duplicates_id_and_are_still_the_persons(
    ledger, monkeypatch
):
    import dataclasses

    from privacy import declarations
    from privacy.declarations import MergeRule

    declaration = declarations.registry.get("crm.Ledger")
    monkeypatch.setitem(
        declarations.registry._declarations,
        "crm.Ledger",
        dataclasses.replace(declaration, merge=MergeRule.KEEP),
    )
    keep, gone = ContactFactory(), ContactFactory()
    row = ledger.objects.create(contact=gone, event="given")

    services.contact_merge(survivor=keep, duplicate=gone, actor=None)

    assert list(ledger.objects.values_list("pk", "contact_id")) == [(row.pk, gone.pk)]
    found = [r.pk for r in personal_data_for_contact(keep) if r.model_label == "crm.Ledger"]
    assert found == [row.pk]


def test_the_fields_a_merge_fills_come_from_the_declarations(monkeypatch):
    """A role declared with one more register-metadata field is not filled from the other."""
    import dataclasses

    from privacy import declarations
    from privacy.declarations import Category

    real = declarations.registry.get(Membership)
    fields = dict(real.fields)
    fields["job_title"] = dataclasses.replace(fields["job_title"], category=Category.RECORD)
    monkeypatch.setitem(
        declarations.registry._declarations,
        "crm.Membership",
        dataclasses.replace(real, fields=fields),
    )
    org = OrganisationFactory()
    keep, gone = ContactFactory(), ContactFactory()
    MembershipFactory(contact=keep, organisation=org, job_title="", work_email="")
    MembershipFactory(contact=gone, organisation=org, job_title="Rehtori", work_email="r@k.fi")

    services.contact_merge(survivor=keep, duplicate=gone, actor=None)

    role = keep.memberships.get()
    assert role.work_email == "r@k.fi" and role.job_title == ""
