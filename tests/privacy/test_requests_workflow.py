"""The rights-request workflow: deadlines, extensions, transitions, objection, restriction,
suppression, the sweeper, the reminder and who may see requests."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from consent import selectors as consent_selectors
from consent import services as consent_services
from consent.models import ConsentEvent, ConsentState
from crm.factories import ContactFactory
from crm.models import ImportJob
from privacy import requests as rights
from privacy.models import PortalLink, RequestTransition, Restriction, RightsRequest, Suppression
from privacy.suppression import email_hash, is_suppressed, suppression_add

pytestmark = pytest.mark.django_db

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")


def _at(*args):
    return datetime.datetime(*args, tzinfo=HELSINKI)


def _staff_request(contact, type="access", **kwargs):
    return rights.staff_request_record(
        type=type,
        contact=contact,
        channel=kwargs.pop("channel", "letter"),
        identity_check="Signed letter, address matches",
        language="fi",
        actor="Sanna Staff",
        **kwargs,
    )


# --- Deadlines ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (_at(2025, 1, 31, 10), _at(2025, 2, 28, 10)),
        (_at(2024, 1, 31, 10), _at(2024, 2, 29, 10)),
        (_at(2025, 3, 15, 9), _at(2025, 4, 15, 9)),
        (_at(2025, 12, 31, 23), _at(2026, 1, 31, 23)),
    ],
)
def test_the_deadline_is_one_calendar_month(received, due):
    assert rights.due_date(received) == due


def test_an_extension_adds_up_to_two_months_and_tells_the_person(
    django_capture_on_commit_callbacks,
):
    contact = ContactFactory(email="pekka@example.fi")
    received = timezone.now() - datetime.timedelta(days=3)
    request = _staff_request(contact, type="erasure", received_at=received)
    with django_capture_on_commit_callbacks(execute=True):
        rights.request_extend(request=request, months=2, reason="Many systems", actor="DPO")

    request.refresh_from_db()
    assert request.state == "extended"
    assert request.extended_until == rights.add_months(received, 3)
    assert request.extension_notice_sent_at is not None
    assert [m.to for m in mail.outbox] == [["pekka@example.fi"]]
    assert "Many systems" in mail.outbox[0].body


def test_no_extension_after_the_first_month_nor_beyond_two_months_nor_twice():
    contact = ContactFactory()
    late = _staff_request(
        contact, received_at=timezone.now() - datetime.timedelta(days=40), type="erasure"
    )
    with pytest.raises(rights.RequestRefused):
        rights.request_extend(request=late, months=1, reason="Busy", actor="DPO")
    fresh = _staff_request(contact, type="erasure")
    with pytest.raises(rights.ValidationError):
        rights.request_extend(request=fresh, months=3, reason="Busy", actor="DPO")
    with pytest.raises(rights.ValidationError):
        rights.request_extend(request=fresh, months=1, reason="  ", actor="DPO")
    rights.request_extend(request=fresh, months=1, reason="Busy", actor="DPO")
    with pytest.raises(rights.RequestRefused):
        rights.request_extend(request=fresh, months=1, reason="Busy", actor="DPO")
    late.refresh_from_db()
    assert late.extended_until is None


def test_deadline_lists_and_the_daily_mail_to_the_dpo(dpo):
    dpo.user.email = "dpo@example.fi"
    dpo.user.save()
    contact = ContactFactory()
    overdue = _staff_request(
        contact, type="erasure", received_at=timezone.now() - datetime.timedelta(days=35)
    )
    soon = _staff_request(
        contact, type="erasure", received_at=timezone.now() - datetime.timedelta(days=26)
    )
    _later = _staff_request(contact, type="erasure")

    found_overdue, found_soon = rights.deadline_lists()
    assert [r.pk for r in found_overdue] == [overdue.pk]
    assert [r.pk for r in found_soon] == [soon.pk]
    assert rights.deadlines_mail() == 2
    assert mail.outbox[-1].to == ["dpo@example.fi"]
    assert f"#{overdue.pk}" in mail.outbox[-1].body


# --- Transitions -------------------------------------------------------------------------------


def test_every_transition_is_logged_and_a_closed_request_stays_closed(
    django_capture_on_commit_callbacks,
):
    contact = ContactFactory()
    request = _staff_request(contact, type="erasure")
    with django_capture_on_commit_callbacks(execute=True):
        rights.request_reject(request=request, reason="Accounting Act hold", actor="DPO")

    log = list(
        RequestTransition.objects.filter(request=request).values_list(
            "from_state", "to_state", "actor"
        )
    )
    assert log == [
        ("", "received", "Sanna Staff"),
        ("received", "identity_verified", "Sanna Staff"),
        ("identity_verified", "rejected", "DPO"),
    ]
    with pytest.raises(rights.RequestRefused):
        rights.request_complete(request=request, actor="DPO")
    assert "tietosuoja.fi" in mail.outbox[-1].body


def test_staff_must_say_how_they_checked_the_identity():
    with pytest.raises(rights.ValidationError):
        rights.staff_request_record(
            type="access",
            contact=ContactFactory(),
            channel="phone",
            identity_check=" ",
            language="fi",
            actor="Sanna",
        )
    assert not RightsRequest.objects.exists()


# --- Objection, restriction, suppression -------------------------------------------------------


def _consented(purpose, email):
    contact = ContactFactory(email=email)
    consent_services.consent_give(
        contact=contact, purpose=purpose, evidence=consent_services.Evidence(source="staff")
    )
    return contact


def test_an_objection_withdraws_every_marketing_consent_at_once_and_suppresses(purpose):
    contact = _consented(purpose, "olli@example.fi")
    assert list(consent_selectors.audience(purpose=purpose)) == [contact]

    request = _staff_request(contact, type="objection", channel="phone")

    request.refresh_from_db()
    assert request.state == "completed"
    assert ConsentState.objects.get(contact=contact).status == "withdrawn"
    assert (
        ConsentEvent.objects.filter(contact=contact, source="objection", kind="withdrawn").count()
        == 1
    )
    assert is_suppressed("OLLI@example.fi ")
    assert list(consent_selectors.audience(purpose=purpose)) == []
    # No address in clear on the list.
    assert not Suppression.objects.filter(email_hash__icontains="olli").exists()
    assert Suppression.objects.get().email_hash == email_hash("olli@example.fi")


def test_audiences_leave_out_suppressed_addresses_whatever_their_consent_says(purpose, monkeypatch):
    # Defence in depth: an address suppressed by any path never gets marketing, also when the
    # audience is read in many chunks (a large list is hashed a chunk at a time).
    monkeypatch.setattr(consent_selectors, "_HASH_CHUNK", 2)
    people = [_consented(purpose, f"henkilo{i}@example.fi") for i in range(5)]
    suppression_add(email="HENKILO1@example.fi", reason="erasure")
    suppression_add(email="henkilo4@example.fi", reason="objection")

    audience = list(consent_selectors.audience(purpose=purpose).order_by("pk"))

    assert audience == [people[0], people[2], people[3]]


def test_a_suppressed_address_cannot_be_put_back_by_staff_api_or_sign_up(
    purpose, django_capture_on_commit_callbacks
):
    suppression_add(email="olli@example.fi", reason="erasure")
    contact = ContactFactory(email="olli@example.fi")  # e.g. re-imported as a contact

    with pytest.raises(consent_services.AddressSuppressed) as refused:
        consent_services.consent_give(
            contact=contact, purpose=purpose, evidence=consent_services.Evidence(source="api")
        )
    assert "estolistalla" in str(refused.value)  # Finnish, the default language

    # The public sign-up answers as to anyone, and nothing is sent or stored.
    with django_capture_on_commit_callbacks(execute=True):
        suppressed = Client().post(
            f"/en/consent/signup/{purpose.code}/",
            {
                "first_name": "Olli",
                "last_name": "O",
                "email": "olli@example.fi",
                "topics": ["kurssit"],
            },
        )
        other = Client().post(
            f"/en/consent/signup/{purpose.code}/",
            {
                "first_name": "Aino",
                "last_name": "A",
                "email": "aino@example.fi",
                "topics": ["kurssit"],
            },
        )
    assert suppressed.status_code == other.status_code == 200
    assert [m.to for m in mail.outbox] == [["aino@example.fi"]]
    assert not ConsentState.objects.filter(contact=contact).exists()


def test_the_consents_api_refuses_a_suppressed_address_clearly(purpose):
    from crm import services as crm_services

    suppression_add(email="olli@example.fi", reason="objection")
    _client, token = crm_services.api_client_create(name="Web shop", scopes=["consents:write"])
    response = Client().post(
        "/api/v1/consents/",
        {
            "email": "olli@example.fi",
            "purpose": purpose.code,
            "action": "give",
            "double_opt_in": False,
            "first_name": "O",
            "last_name": "O",
        },
        content_type="application/json",
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400, response.content
    assert "estolistalla" in response.content.decode()
    assert not ConsentState.objects.exists()


def test_restriction_excludes_from_audiences_and_survives_a_re_import(
    purpose, sales, django_capture_on_commit_callbacks
):
    contact = _consented(purpose, "aino@example.com")
    contact.first_name = "Aino"
    contact.save()
    request = _staff_request(contact, type="restriction")

    request.refresh_from_db()
    assert request.state == "completed"
    assert Restriction.objects.filter(contact=contact, lifted_at__isnull=True).exists()
    assert list(consent_selectors.audience(purpose=purpose)) == []

    text = "Etunimi;Sukunimi;Sähköposti\r\nAnneli;Uusi;aino@example.com\r\n"
    upload = sales.client.post(
        "/admin/crm/contact/import/",
        {"file": SimpleUploadedFile("f.csv", text.encode("utf-8-sig"), "text/csv")},
    )
    job = ImportJob.objects.latest("pk")
    data = {f"column_{i}": t for i, t in job.mapping.items()}
    with django_capture_on_commit_callbacks(execute=True):
        page = sales.client.post(upload["Location"], {**data, "import": "1"}, follow=True)
    assert "käsittelyä on rajoitettu" in page.content.decode()
    contact.refresh_from_db()
    assert contact.first_name == "Aino"
    assert list(consent_selectors.audience(purpose=purpose)) == []


def test_staff_see_a_banner_on_a_restricted_person(administrator):
    contact = ContactFactory()
    _staff_request(contact, type="restriction")
    page = administrator.client.get(f"/admin/crm/contact/{contact.pk}/change/")
    assert page.status_code == 200
    assert "käsittelyä on rajoitettu hänen pyynnöstään" in page.content.decode()


# --- Jobs: never lost --------------------------------------------------------------------------


def test_a_request_filed_while_the_broker_is_down_is_stored_and_swept_later(
    celery_conf, settings, django_capture_on_commit_callbacks, monkeypatch
):
    contact = ContactFactory(email="tiina@example.fi")
    ran = []
    monkeypatch.setattr(rights, "rights_request_run", lambda *, request_id: ran.append(request_id))
    # A broker on a closed port: queueing fails after the request is stored.
    celery_conf(
        task_always_eager=False,
        broker_url="redis://127.0.0.1:1/0",
        broker_connection_retry=False,
        broker_connection_max_retries=0,
        broker_transport_options={"max_retries": 0, "socket_connect_timeout": 0.5},
    )
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post("/en/privacy/request/", {"right": "access", "email": "tiina@example.fi"})
    assert page.status_code == 200
    assert b"If this address is in our register" in page.content
    request = RightsRequest.objects.get()
    assert request.state == "received"

    # Staff verify it (the mail could not go); its job cannot be queued either.
    with django_capture_on_commit_callbacks(execute=True):
        rights.request_verify(
            request=request, contact=contact, identity_check="Called", actor="DPO"
        )
    request.refresh_from_db()
    assert request.job_queued_at is not None and request.job_started_at is None
    assert ran == []

    # The broker is back: the sweeper sends the job once it has waited long enough.
    celery_conf(task_always_eager=True)
    assert rights.requests_sweep() == []
    later = timezone.now() + datetime.timedelta(seconds=settings.PRIVACY_REQUEUE_AFTER_SECONDS + 1)
    assert rights.requests_sweep(now=later) == [request.pk]
    assert ran == [request.pk]


def test_the_dispatch_sets_the_job_times_so_the_sweeper_leaves_it(monkeypatch):
    contact = ContactFactory()
    request = _staff_request(contact, type="restriction")
    RightsRequest.objects.filter(pk=request.pk).update(
        state="in_progress",
        type="rectification",
        job_queued_at=timezone.now() - datetime.timedelta(hours=1),
    )
    rights.rights_request_run(request_id=request.pk)
    request.refresh_from_db()
    assert request.job_started_at and request.job_finished_at
    assert rights.requests_sweep() == []


def test_one_reminder_with_a_new_link_and_the_old_link_stops_working(
    settings, django_capture_on_commit_callbacks
):
    ContactFactory(email="tiina@example.fi")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/en/privacy/request/", {"right": "objection", "email": "tiina@example.fi"})
    old_path = "/" + mail.outbox[0].body.split("://", 1)[1].split("/", 1)[1].split()[0]
    later = timezone.now() + datetime.timedelta(hours=settings.PRIVACY_REMINDER_AFTER_HOURS + 1)

    with django_capture_on_commit_callbacks(execute=True):
        assert rights.requests_remind(now=later) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert rights.requests_remind(now=later + datetime.timedelta(days=1)) == 0

    assert len(mail.outbox) == 2
    assert "Reminder" in mail.outbox[1].subject
    new_path = "/" + mail.outbox[1].body.split("://", 1)[1].split("/", 1)[1].split()[0]
    assert new_path != old_path
    assert Client().post(old_path).status_code == 400
    assert PortalLink.objects.filter(purpose="reminder").count() == 1
    assert Client().post(new_path).status_code == 200
    assert RightsRequest.objects.get().state == "completed"


# --- Rectification -----------------------------------------------------------------------------


def test_corrections_are_proposed_by_the_person_and_decided_by_staff(
    dpo, django_capture_on_commit_callbacks
):
    contact = ContactFactory(email="tiina@example.fi", first_name="Tina")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            "/en/privacy/request/", {"right": "rectification", "email": "tiina@example.fi"}
        )
    path = "/" + mail.outbox[0].body.split("://", 1)[1].split("/", 1)[1].split()[0]
    browser = Client()
    assert browser.post(path).status_code == 302
    form = browser.get("/en/privacy/correct/")
    assert form.status_code == 200
    values = {f: form.context["form"].initial.get(f) or "" for f in rights.RECTIFIABLE}
    sent = browser.post("/en/privacy/correct/", {**values, "first_name": "Tiina"})
    assert sent.status_code == 200
    assert Client().get("/en/privacy/correct/").status_code == 400  # another browser: nothing
    request = RightsRequest.objects.get()
    assert request.payload["proposed"] == {"first_name": "Tiina"}
    contact.refresh_from_db()
    assert contact.first_name == "Tina"  # nothing changes before staff decide

    page = dpo.client.post(
        f"/admin/privacy/rightsrequest/{request.pk}/do/decide/", {"accept": "yes", "note": ""}
    )
    assert page.status_code == 302
    contact.refresh_from_db()
    request.refresh_from_db()
    assert contact.first_name == "Tiina"
    assert request.state == "completed"
    assert request.payload["decision"]["accepted"] is True


def test_the_person_is_told_in_their_language_what_was_corrected(
    dpo, django_capture_on_commit_callbacks
):
    contact = ContactFactory(email="asa@example.fi", first_name="Asa", phone="")
    request = _staff_request(contact, type="rectification")
    RightsRequest.objects.filter(pk=request.pk).update(language="sv", state="identity_verified")
    request.refresh_from_db()
    rights.rectification_propose(
        request=request, values={"first_name": "Åsa", "preferred_language": "sv"}
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = dpo.client.post(
            f"/admin/privacy/rightsrequest/{request.pk}/do/decide/", {"accept": "yes", "note": ""}
        )
    assert page.status_code == 302
    [sent] = mail.outbox
    assert sent.to == ["asa@example.fi"]
    assert sent.subject == "Dina uppgifter har rättats"
    assert "Förnamn: Åsa" in sent.body
    assert "svenska" in sent.body  # the choice as the person reads it, not the code "sv"


def test_rejected_corrections_change_nothing_and_the_person_gets_the_reason(
    dpo, django_capture_on_commit_callbacks
):
    contact = ContactFactory(email="tiina@example.fi", first_name="Tina")
    request = _staff_request(contact, type="rectification")
    RightsRequest.objects.filter(pk=request.pk).update(state="identity_verified")
    rights.rectification_propose(request=request, values={"first_name": "Tiina"})
    mail.outbox.clear()
    url = f"/admin/privacy/rightsrequest/{request.pk}/do/decide/"
    assert dpo.client.post(url, {"accept": "no", "note": ""}).status_code == 400
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert dpo.client.post(url, {"accept": "no", "note": "Nimi on oikein"}).status_code == 302
    contact.refresh_from_db()
    assert contact.first_name == "Tina"
    [sent] = mail.outbox
    assert "Nimi on oikein" in sent.body and "tietosuoja.fi" in sent.body


# --- Lifting a restriction ---------------------------------------------------------------------


def test_the_dpo_lifts_a_restriction_with_a_reason_and_the_person_is_told(
    purpose, dpo, django_capture_on_commit_callbacks
):
    contact = _consented(purpose, "aino@example.com")
    contact.preferred_language = "en"
    contact.save()
    _staff_request(contact, type="restriction")
    restriction = Restriction.objects.get(contact=contact)
    assert list(consent_selectors.audience(purpose=purpose)) == []

    page = dpo.client.get(f"/admin/crm/contact/{contact.pk}/change/")
    lift = f"/admin/privacy/restriction/{restriction.pk}/lift/"
    assert lift in page.content.decode()  # the banner links to it
    mail.outbox.clear()

    # No reason: refused, nothing changes, nobody is mailed.
    page = dpo.client.post(lift, {"reason": "  "})
    assert page.status_code == 400
    restriction.refresh_from_db()
    assert restriction.lifted_at is None and mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        page = dpo.client.post(lift, {"reason": "The dispute about your data is settled."})
    assert page.status_code == 302
    restriction.refresh_from_db()
    assert restriction.lifted_at is not None
    assert restriction.lifted_by == (dpo.user.get_full_name() or dpo.user.get_username())
    assert restriction.lift_reason == "The dispute about your data is settled."
    assert list(consent_selectors.audience(purpose=purpose)) == [contact]
    [sent] = mail.outbox
    assert sent.to == ["aino@example.com"]
    assert "lifted" in sent.subject
    assert "The dispute about your data is settled." in sent.body

    # Lifting it again is refused and mails nobody.
    with django_capture_on_commit_callbacks(execute=True):
        assert dpo.client.post(lift, {"reason": "Again"}).status_code == 400
    assert len(mail.outbox) == 1
    page = dpo.client.get(f"/admin/crm/contact/{contact.pk}/change/")
    assert "käsittelyä on rajoitettu" not in page.content.decode()


def test_only_the_dpo_and_the_administrator_lift_restrictions(staff_member):
    contact = ContactFactory()
    _staff_request(contact, type="restriction")
    restriction = Restriction.objects.get(contact=contact)
    allowed = staff_member.name in ("dpo", "administrator")
    _user, client = staff_member
    assert (client.get("/admin/privacy/restriction/").status_code == 200) is allowed
    page = client.post(f"/admin/privacy/restriction/{restriction.pk}/lift/", {"reason": "Done"})
    assert page.status_code == (302 if allowed else 403)
    restriction.refresh_from_db()
    assert (restriction.lifted_at is not None) is allowed
    if not allowed and client.get(f"/admin/crm/contact/{contact.pk}/change/").status_code == 200:
        page = client.get(f"/admin/crm/contact/{contact.pk}/change/")
        assert "/lift/" not in page.content.decode()


# --- Who sees requests -------------------------------------------------------------------------


def test_only_the_dpo_and_the_administrator_see_and_act_on_requests(staff_member):
    request = _staff_request(ContactFactory(), type="erasure")
    allowed = staff_member.name in ("dpo", "administrator")
    _user, client = staff_member
    assert (client.get("/admin/privacy/rightsrequest/").status_code == 200) is allowed
    assert (
        client.get(f"/admin/privacy/rightsrequest/{request.pk}/change/").status_code == 200
    ) is allowed
    extend = client.post(
        f"/admin/privacy/rightsrequest/{request.pk}/do/extend/", {"months": "1", "reason": "Busy"}
    )
    assert (extend.status_code == 302) is allowed
    assert extend.status_code in (302, 403)
    request.refresh_from_db()
    assert (request.state == "extended") is allowed


def test_an_overdue_filter_lists_only_overdue_requests(dpo):
    contact = ContactFactory()
    overdue = _staff_request(
        contact, type="erasure", received_at=timezone.now() - datetime.timedelta(days=40)
    )
    _staff_request(contact, type="erasure")
    page = dpo.client.get("/admin/privacy/rightsrequest/?deadline=overdue")
    assert [r.pk for r in page.context["cl"].result_list] == [overdue.pk]


def test_staff_preview_and_approve_an_erasure_which_the_job_carries_out(
    dpo, purpose, django_capture_on_commit_callbacks
):
    contact = _consented(purpose, "erkki@example.fi")
    request = _staff_request(contact, type="erasure")
    preview = dpo.client.get(f"/admin/privacy/rightsrequest/{request.pk}/do/erase/")
    assert preview.status_code == 200
    assert preview.context["plan"].changes_anything

    refused = dpo.client.post(f"/admin/privacy/rightsrequest/{request.pk}/do/erase/", {})
    assert refused.status_code == 400  # the confirmation box is not ticked
    request.refresh_from_db()
    assert request.state == "identity_verified"

    with django_capture_on_commit_callbacks(execute=True):
        done = dpo.client.post(
            f"/admin/privacy/rightsrequest/{request.pk}/do/erase/", {"confirm": "on"}
        )
    assert done.status_code == 302
    request.refresh_from_db()
    contact.refresh_from_db()
    assert request.state == "completed"
    assert request.job_started_at and request.job_finished_at
    assert contact.subject_category == "erased"
    assert is_suppressed("erkki@example.fi")
    # The request stays as an anonymised record: the right, the dates, the outcome.
    assert (request.type, request.email) == ("erasure", "")
    assert list(consent_selectors.audience(purpose=purpose)) == []


def test_requests_never_proven_are_deleted_after_two_weeks(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/en/privacy/request/", {"right": "access", "email": "nobody@example.fi"})
    proven = _staff_request(ContactFactory(), type="erasure")
    later = timezone.now() + datetime.timedelta(days=rights.UNPROVEN_DAYS, hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        rights.requests_remind(now=later)
    assert list(RightsRequest.objects.values_list("pk", flat=True)) == [proven.pk]
    assert mail.outbox == []


def test_rejecting_a_portal_request_nobody_confirmed_mails_nobody(
    dpo, django_capture_on_commit_callbacks
):
    # Typed on the portal for an address nobody proved (not in the register at all).
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/en/privacy/request/", {"right": "access", "email": "joku@example.org"})
    request = RightsRequest.objects.get()
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        page = dpo.client.post(
            f"/admin/privacy/rightsrequest/{request.pk}/do/reject/", {"reason": "Ei tunnistettu"}
        )
    assert page.status_code == 302
    request.refresh_from_db()
    assert request.state == "rejected"
    assert mail.outbox == []  # the rejection is not mailed to an unproven address
