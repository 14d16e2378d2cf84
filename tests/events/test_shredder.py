"""The event data shredder on the events models: what the preview says is what a run removes,
statistics stay the same, billing details wait for the Accounting Act, runs are logged and a
second run changes nothing."""

import datetime

import pytest
from django.utils import timezone

from crm.models import Contact, Municipality
from events import shredder
from events.models import Answer, BillingDetails, Event, Registration, ShredRun
from events.statistics import event_statistics

from .staff_fixtures import bill, diet_question, make_event, register, shirt_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def municipalities():
    return [
        Municipality.objects.get_or_create(code=c, defaults={"name_fi": n, "name_sv": n})[0]
        for c, n in (("091", "Helsinki"), ("049", "Espoo"))
    ]


@pytest.fixture
def ended_event(municipalities):
    event = make_event(ended_days_ago=40, retention_days=30, price="100")
    diet_question(event)
    question, choices = shirt_question(event)
    helsinki, espoo = municipalities
    for i in range(6):
        r = register(event, municipality=helsinki, diet="keliakia", note=f"nimikyltti {i}")
        answer = Answer.objects.create(registration=r, question=question)
        answer.choices.set([choices[i % 3]])
        bill(r)
    register(event, municipality=espoo, status=Registration.Status.ATTENDED)
    register(event, municipality=espoo, status=Registration.Status.CANCELLED)
    return event


def test_the_preview_counts_exactly_what_the_run_removes(ended_event):
    preview = {line.model_label: line.rows for line in shredder.shred_preview(event=ended_event)}

    run = shredder.shred_event(event=ended_event)

    assert preview == {"events.Answer": 12, "events.DisclosedPerson": 0, "events.Registration": 8}
    assert {label: r["rows"] for label, r in run.removed.items()} == preview
    assert run.state == ShredRun.State.FINISHED and run.trigger == ShredRun.Trigger.SCHEDULE
    assert not Answer.objects.filter(registration__event=ended_event).exists()
    regs = Registration.objects.filter(event=ended_event)
    assert regs.count() == 8
    assert not regs.filter(contact__isnull=False).exists()
    assert set(regs.values_list("check_in_note", "networking", "share_email", "link_key")) == {
        ("", False, False, "")
    }
    assert not regs.filter(anonymised_at__isnull=True).exists()
    # The people themselves stay in the register; only the event's data about them went.
    assert Contact.objects.count() == 8
    ended_event.refresh_from_db()
    assert ended_event.shredded_at is not None


def test_statistics_are_the_same_before_and_after_shredding(ended_event):
    before = event_statistics(event=ended_event)

    shredder.shred_event(event=ended_event)

    assert event_statistics(event=ended_event) == before
    assert before.total == 8 and before.attended == 1
    # Espoo's one active participant is not shown on their own.
    assert "Espoo" not in before.by_municipality


def test_a_second_run_changes_nothing_and_says_so(ended_event):
    shredder.shred_event(event=ended_event)
    snapshot = list(Registration.objects.filter(event=ended_event).values())

    again = shredder.shred_event(event=ended_event)

    assert {r["rows"] for r in again.removed.values()} == {0}
    assert list(Registration.objects.filter(event=ended_event).values()) == snapshot
    assert ShredRun.objects.filter(event=ended_event).count() == 2


def test_billing_details_stay_until_the_accounting_hold_ends_then_go(ended_event):
    year = timezone.localdate(ended_event.ends_at).year
    shredder.shred_event(event=ended_event)
    last_day = datetime.date(year + 6, 12, 31)

    shredder.shred_due(today=last_day)
    assert BillingDetails.objects.filter(registration__event=ended_event).count() == 6

    runs = shredder.shred_due(today=last_day + datetime.timedelta(days=1))

    assert [r.removed["events.BillingDetails"]["rows"] for r in runs] == [6]
    assert not BillingDetails.objects.filter(registration__event=ended_event).exists()
    assert Registration.objects.filter(event=ended_event).count() == 8


def test_the_daily_job_leaves_events_whose_days_are_not_over(municipalities):
    fresh = make_event(ended_days_ago=10, retention_days=30)
    register(fresh, municipality=municipalities[0], note="VIP")
    due = make_event(ended_days_ago=31, retention_days=30)
    register(due, municipality=municipalities[0], note="VIP")

    runs = shredder.shred_due()

    assert [r.event for r in runs] == [due]
    assert Registration.objects.get(event=fresh).contact is not None
    assert Registration.objects.get(event=due).contact is None


def test_an_early_hand_run_removes_event_data_but_not_billing(ended_event, event_organiser):
    event = make_event(ended_days_ago=1, retention_days=180, price="50")
    diet_question(event)
    r = register(event, diet="vegaani")
    bill(r)

    assert shredder.shred_preview(event=event) == []
    run = shredder.shred_event(event=event, actor=event_organiser.user, early=True)

    assert run.trigger == ShredRun.Trigger.STAFF and run.triggered_by == event_organiser.user
    assert not Answer.objects.filter(registration=r).exists()
    assert BillingDetails.objects.filter(registration=r).exists()


def test_an_event_that_has_not_ended_cannot_be_shredded(event_organiser):
    event = make_event(ended_days_ago=-2)
    register(event, note="tulossa")

    with pytest.raises(shredder.ShredRefused):
        shredder.shred_event(event=event, actor=event_organiser.user, early=True)

    assert Registration.objects.get(event=event).contact is not None
    assert not ShredRun.objects.exists()
    assert Event.objects.get(pk=event.pk).shredded_at is None


def test_the_networking_consents_in_the_ledger_are_not_the_shredders(municipalities):
    """The consent ledger is proof of consent with its own retention (consent.evidence_purge);
    the shredder leaves its rows and the person's consent state alone."""
    from consent.models import ConsentEvent, ConsentState
    from events import services

    event = make_event(ended_days_ago=40, retention_days=30, networking_offered=True)
    services.registration_create(
        event=event,
        data={
            "first_name": "Verkko",
            "last_name": "Kontakti",
            "email": "verkko@example.com",
            "networking": True,
            "share_email": True,
        },
        source=Registration.Source.PUBLIC_FORM,
        language="fi",
        now=event.registration_opens_at + datetime.timedelta(days=1),
    )
    ledger = list(ConsentEvent.objects.values_list("pk", "kind"))
    states = list(ConsentState.objects.values_list("pk", "status"))
    assert ledger, "the registration recorded the networking consent"

    shredder.shred_event(event=event)

    assert Registration.objects.get(event=event).networking is False
    assert list(ConsentEvent.objects.values_list("pk", "kind")) == ledger
    assert list(ConsentState.objects.values_list("pk", "status")) == states


def test_the_daily_job_is_scheduled_and_a_worker_finds_it(settings):
    import os
    import subprocess
    import sys

    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert schedule["events.shred_due"] == 24 * 3600.0
    # A fresh process, as a worker starts: the task is found by autodiscovery, not because a
    # test imported the module.
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from config.celery import app; "
            "app.loader.import_default_modules(); print('events.shred_due' in app.tasks)",
        ],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "DEBUG": "true",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        },
        check=True,
    )
    assert found.stdout.strip().endswith("True")


def test_a_run_whose_worker_died_is_shown_interrupted_not_running_for_ever(ended_event):
    # A worker killed mid-run leaves its run "running" with the counts of its committed batches.
    dead = ShredRun.objects.create(
        event=ended_event,
        started_at=timezone.now() - datetime.timedelta(hours=7),
        trigger=ShredRun.Trigger.SCHEDULE,
        removed={"events.Answer": {"action": "delete", "fields": [], "rows": 5000}},
    )
    live = ShredRun.objects.create(event=ended_event, trigger=ShredRun.Trigger.SCHEDULE)

    runs = shredder.shred_due()

    assert [r.event for r in runs] == [ended_event]
    dead.refresh_from_db()
    live.refresh_from_db()
    assert dead.state == ShredRun.State.INTERRUPTED
    assert dead.removed["events.Answer"]["rows"] == 5000  # what it did stays counted
    assert live.state == ShredRun.State.RUNNING  # a run of a minute ago may still be working
