"""A person's editing history is the audit log filtered to them: reachable from their page and
from Django's history link, for staff who may read the log, and it shows what a merge moved in
and filled."""

import re
from html import unescape

import pytest
from auditlog.models import LogEntry

from crm import services
from crm.models import Interaction
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _text(html: bytes) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html.decode())).split())


def _log_url(person) -> str:
    return f"/admin/auditlog/logentry/?person={person.pk}"


def test_the_persons_page_links_their_log_for_staff_who_may_read_it(administrator):
    person = ContactFactory()

    page = administrator.client.get(f"/admin/crm/contact/{person.pk}/change/").content.decode()

    assert f'href="{_log_url(person)}"' in page
    assert ">Lokitiedot<" in page


def test_no_log_link_for_staff_who_may_not_read_the_log(sales):
    person = ContactFactory()

    page = sales.client.get(f"/admin/crm/contact/{person.pk}/change/").content.decode()

    assert "/admin/auditlog/logentry/" not in page


def test_djangos_history_page_leads_to_the_persons_log(administrator, sales):
    person = ContactFactory()

    response = administrator.client.get(f"/admin/crm/contact/{person.pk}/history/")
    assert response.status_code == 200
    assert f'href="{_log_url(person)}"' in response.content.decode()

    # Staff who may not read the log keep Django's own page, without the link.
    response = sales.client.get(f"/admin/crm/contact/{person.pk}/history/")
    assert response.status_code == 200
    assert "/admin/auditlog/logentry/" not in response.content.decode()


def test_after_a_merge_the_persons_log_shows_who_was_merged_in_and_what_was_filled(
    administrator,
):
    kept = ContactFactory(first_name="Aino", last_name="Aalto", phone="", email="aino@example.com")
    duplicate = ContactFactory(
        first_name="Aino", last_name="Alto", phone="+358401234567", email="a.alto@example.com"
    )
    services.interaction_create(contact=duplicate, kind="call", summary="Soitto")
    services.contact_merge(survivor=kept, duplicate=duplicate, actor=administrator.user)

    log = administrator.client.get(_log_url(kept))

    assert log.status_code == 200
    text = _text(log.content)
    # The merge, on the kept person: who came in and the field it filled.
    assert f"tähän yhdistetty henkilö #{duplicate.pk}; Puhelin" in text, text
    assert "Asiakastoimenpide: Puhelu" in text, text  # the interaction the merge moved
    assert "Aino Alto" in text  # the merged-in person's own entries are in the person's log
    merge = LogEntry.objects.get(
        additional_data__merged_from=duplicate.pk, content_type__model="contact", object_id=kept.pk
    )
    assert Interaction.objects.get().contact == kept

    entry = _text(administrator.client.get(f"/admin/auditlog/logentry/{merge.pk}/change/").content)
    assert f"Aino Alto (#{duplicate.pk})" in entry  # who was merged in, by name
    assert "+358401234567" in entry  # the filled value
    assert "None" not in entry
