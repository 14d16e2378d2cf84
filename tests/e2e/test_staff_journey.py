"""A salesperson's day in the admin, in Chromium at 1366 px: sign in with the authenticator
code, find a person, open their page, import a file that has a bad row, merge two people."""

import re

from crm import roles
from crm.models import Contact
from tests.factories import ContactFactory, MembershipFactory

from .conftest import page_fits, sign_in

IMPORT_FILE = (
    "Etunimi;Sukunimi;Sähköposti;Puhelin;Kotikunta;Organisaatio;Tehtävänimike\n"
    "Aino;Kivelä;aino.kivela@example.com;040 123 4567;Jyväskylä;Jyväskylän Kiinteistöpalvelut Oy;"
    "Kiinteistöpäällikkö\n"
    "Eero;Lahtinen;ei-osoite;040 765 4321;Tampere;Pirkanmaan Koulutus Oy;Rehtori\n"
    "Outi;Rantanen;outi.rantanen@example.com;;Espoo;;\n"
).encode("utf-8-sig")


def test_a_salesperson_finds_imports_and_merges(page, staff_member):
    user, secret = staff_member(roles.SALES, username="sanna.myynti")
    heli = ContactFactory(
        first_name="Heli", last_name="Grönroos", email="heli.gronroos@example.com"
    )
    MembershipFactory(contact=heli, job_title="Hankintapäällikkö")
    twin = ContactFactory(first_name="Heli", last_name="Grönroos", email="heli.g@example.org")
    ContactFactory.create_batch(30)

    sign_in(page, user, secret)
    page_fits(page)

    # Find a person by their address and open their page.
    page.get_by_role("link", name=re.compile("^Henkilöt")).first.click()
    page_fits(page)
    page.fill("#searchbar", "heli.gronroos@example.com")
    page.press("#searchbar", "Enter")
    page.wait_for_url(re.compile(r"[?&]q=heli\.gronroos"))
    page.get_by_role("link", name="Grönroos").first.click()
    page.wait_for_url(re.compile(rf"/admin/crm/contact/{heli.pk}/change/"))
    page_fits(page)
    assert page.locator("input[name=email]").input_value() == "heli.gronroos@example.com"

    # Import a file with one bad row: it is listed, and the good rows go in when asked.
    page.goto("/admin/crm/contact/import/")
    page_fits(page)
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "webropol.csv", "mimeType": "text/csv", "buffer": IMPORT_FILE}],
    )
    page.locator("input[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/crm/contact/import/\d+/$"))
    page_fits(page)
    errors = page.locator("table.import-errors")
    assert "ei-osoite" in errors.inner_text() or "3" in errors.inner_text()
    page.locator("input[name=skip_invalid]").check()
    page.locator("input[name=import]").click()
    page.wait_for_url(re.compile(r"/admin/crm/contact/import/\d+/$"))
    page.get_by_text(re.compile("Tuotu|valmis", re.IGNORECASE)).first.wait_for()
    page_fits(page)
    assert Contact.objects.filter(email="aino.kivela@example.com").exists()
    assert Contact.objects.filter(email="outi.rantanen@example.com").exists()
    assert not Contact.objects.filter(first_name="Eero", last_name="Lahtinen").exists()

    # Merge the two Helis into the one with the role.
    page.goto("/admin/crm/contact/?q=Grönroos")
    page_fits(page)
    for person in (heli, twin):
        page.locator(f"input[name=_selected_action][value='{person.pk}']").check()
    page.select_option("select[name=action]", "merge_contacts")
    page.locator("button[name=index]").click()
    survivor = page.locator(f"input[name=survivor][value='{heli.pk}']")
    survivor.wait_for()  # the confirmation page has loaded
    page_fits(page)
    survivor.check()
    page.locator("form input[type=submit].default").click()
    page.wait_for_url(re.compile(rf"/admin/crm/contact/{heli.pk}/change/"))
    page_fits(page)

    assert not Contact.objects.filter(pk=twin.pk).exists()
    heli.refresh_from_db()
    assert heli.memberships.count() == 1
    assert heli.merges.get().merged_email == "heli.g@example.org"
