"""The shredder's engine on models of its own (the events app's models are tested in
tests/events/test_shredder*.py): declarations decide what goes, the preview is what a run does,
a run killed after a batch is finished by the next, and a second run changes nothing."""

import datetime

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps

from privacy.declarations import (
    Category,
    DeclarationRegistry,
    Erasure,
    MergeRule,
    RowErasure,
    not_personal,
    personal,
    subject_link,
)
from privacy.policy import ACCOUNTING_ACT, EVENT_FOLLOW_UP, EVENTS, WHILE_CUSTOMER
from privacy.shredding import shred, shred_plan
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)

ENDED = datetime.date(2026, 3, 1)


def _event_data(erasure=None):
    return personal(
        Category.PARTICIPATION, purpose=EVENTS, retention=EVENT_FOLLOW_UP, erasure=erasure
    )


@pytest.fixture
def world():
    with isolate_apps("events") as apps_registry:
        from crm.models import Contact

        class Event(models.Model):
            retention_days = models.PositiveIntegerField(default=30)

            class Meta:
                app_label = "events"
                db_table = "shredtest_event"

        class Registration(models.Model):
            event = models.ForeignKey(Event, models.CASCADE)
            contact = models.ForeignKey(Contact, models.SET_NULL, null=True, related_name="+")
            status = models.CharField(max_length=20, default="confirmed")
            note = models.TextField(blank=True)
            email = models.CharField(max_length=100, blank=True)

            class Meta:
                app_label = "events"
                db_table = "shredtest_registration"

        class Answer(models.Model):
            registration = models.ForeignKey(Registration, models.CASCADE)
            value = models.TextField()

            class Meta:
                app_label = "events"
                db_table = "shredtest_answer"

        class Billing(models.Model):
            registration = models.ForeignKey(Registration, models.CASCADE)
            payer = models.CharField(max_length=100)

            class Meta:
                app_label = "events"
                db_table = "shredtest_billing"

        registry = DeclarationRegistry()
        registry.declare(Event, subject=None, fields={"retention_days": not_personal()})
        registry.declare(
            Registration,
            subject="contact",
            erase=RowErasure.ANONYMISE,
            merge=MergeRule.MOVE,
            fields={
                "event": not_personal(),
                "contact": subject_link(),
                "status": not_personal(),
                "note": _event_data(Erasure.replace("")),
                # Kept with the customer relationship, not per event: the shredder leaves it.
                "email": personal(
                    Category.CONTACT,
                    purpose=EVENTS,
                    retention=WHILE_CUSTOMER,
                    erasure=Erasure.replace(""),
                ),
            },
        )
        registry.declare(
            Answer,
            subject="registration__contact",
            erase=RowErasure.DELETE,
            merge=MergeRule.MOVE,
            fields={"registration": not_personal(), "value": _event_data()},
        )
        registry.declare(
            Billing,
            subject="registration__contact",
            erase=RowErasure.ANONYMISE,
            merge=MergeRule.MOVE,
            fields={
                "registration": not_personal(),
                "payer": personal(
                    Category.FINANCIAL,
                    purpose=EVENTS,
                    retention=ACCOUNTING_ACT,
                    erasure=Erasure.keep(law="Accounting Act", period_days=7 * 365),
                ),
            },
        )
        made = [Event, Registration, Answer, Billing]
        with connection.schema_editor() as editor:
            for model in made:
                editor.create_model(model)
        try:
            yield registry, Event, Registration, Answer, Billing
        finally:
            with connection.schema_editor() as editor:
                for model in reversed(made):
                    editor.delete_model(model)
        del apps_registry


def _fill(Event, Registration, Answer, Billing, people=5):
    event = Event.objects.create(retention_days=30)
    other = Event.objects.create(retention_days=30)
    for e in (event, other):
        for _ in range(people):
            r = Registration.objects.create(
                event=e, contact=ContactFactory(), note="vegaani", email="a@example.com"
            )
            Answer.objects.create(registration=r, value="keliakia")
            Answer.objects.create(registration=r, value="=1+1")
            Billing.objects.create(registration=r, payer="Oy Ab")
    return event, other


def _summary(plan):
    return {(p.step.model_label, p.step.action): p.rows for p in plan}


def test_nothing_is_due_before_the_events_retention_has_passed(world):
    registry, Event, Registration, Answer, Billing = world
    event, _ = _fill(Event, Registration, Answer, Billing)
    before = ENDED + datetime.timedelta(days=29)

    assert shred_plan(event, ended_on=ENDED, today=before, registry=registry) == []
    assert shred(event, ended_on=ENDED, today=before, registry=registry) == {}
    assert Answer.objects.count() == 20


def test_the_run_removes_what_the_preview_said_and_only_from_that_event(world):
    registry, Event, Registration, Answer, Billing = world
    event, other = _fill(Event, Registration, Answer, Billing)
    due = ENDED + datetime.timedelta(days=30)

    plan = _summary(shred_plan(event, ended_on=ENDED, today=due, registry=registry))
    done = shred(event, ended_on=ENDED, today=due, registry=registry)

    assert plan == {
        ("events.Answer", "delete"): 10,
        ("events.Registration", "anonymise"): 5,
    }
    assert done == {"events.Answer:delete": 10, "events.Registration:anonymise": 5}
    assert not Answer.objects.filter(registration__event=event).exists()
    assert Answer.objects.filter(registration__event=other).count() == 10
    kept = Registration.objects.filter(event=event)
    assert list(kept.values_list("status", "note", "contact", "email").distinct()) == [
        ("confirmed", "", None, "a@example.com")
    ]
    # Billing details are under the Accounting Act's hold still.
    assert Billing.objects.filter(registration__event=event).count() == 5
    assert Registration.objects.filter(event=other, contact__isnull=False).count() == 5


def test_a_second_run_finds_nothing_to_do(world):
    registry, Event, Registration, Answer, Billing = world
    event, _ = _fill(Event, Registration, Answer, Billing)
    due = ENDED + datetime.timedelta(days=31)
    shred(event, ended_on=ENDED, today=due, registry=registry)

    assert all(p.rows == 0 for p in shred_plan(event, ended_on=ENDED, today=due, registry=registry))
    assert shred(event, ended_on=ENDED, today=due, registry=registry) == {
        "events.Answer:delete": 0,
        "events.Registration:anonymise": 0,
    }


def test_a_run_killed_after_its_first_batch_is_finished_by_the_next(world):
    registry, Event, Registration, Answer, Billing = world
    event, _ = _fill(Event, Registration, Answer, Billing, people=5)
    due = ENDED + datetime.timedelta(days=30)

    class Killed(Exception):
        pass

    batches = []

    def die_after_first(step, rows):
        batches.append((step.model_label, rows))
        if len(batches) == 2:
            raise Killed  # inside the second batch's transaction: it is rolled back

    with pytest.raises(Killed):
        shred(
            event,
            ended_on=ENDED,
            today=due,
            registry=registry,
            batch_size=4,
            on_batch=die_after_first,
        )

    # The first batch is done whole, the second not at all.
    assert Answer.objects.filter(registration__event=event).count() == 6
    shred(event, ended_on=ENDED, today=due, registry=registry, batch_size=4)
    assert not Answer.objects.filter(registration__event=event).exists()
    assert not Registration.objects.filter(event=event, contact__isnull=False).exists()
    assert not Registration.objects.filter(event=event).exclude(note="").exists()


def test_billing_details_go_when_the_accounting_hold_ends_and_not_before(world):
    registry, Event, Registration, Answer, Billing = world
    event, other = _fill(Event, Registration, Answer, Billing)

    shred(event, ended_on=ENDED, today=datetime.date(2032, 12, 31), registry=registry)
    assert Billing.objects.filter(registration__event=event).count() == 5

    plan = _summary(
        shred_plan(event, ended_on=ENDED, today=datetime.date(2033, 1, 1), registry=registry)
    )
    assert plan == {
        ("events.Billing", "delete"): 5,
        ("events.Answer", "delete"): 0,
        ("events.Registration", "anonymise"): 0,
    }
    shred(event, ended_on=ENDED, today=datetime.date(2033, 1, 1), registry=registry)
    assert not Billing.objects.filter(registration__event=event).exists()
    assert Billing.objects.filter(registration__event=other).count() == 5
    assert Registration.objects.filter(event=event).count() == 5
