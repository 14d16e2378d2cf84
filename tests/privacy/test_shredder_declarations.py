"""The per-event retention clocks the event data shredder reads, and the check that keeps the
declarations of per-event data carry-out-able (privacy.E016)."""

import datetime
from types import SimpleNamespace

from django.db import models
from django.test.utils import isolate_apps

from privacy.checks import check_declarations
from privacy.declarations import (
    Category,
    DeclarationRegistry,
    Erasure,
    MergeRule,
    RowErasure,
    event_paths,
    not_personal,
    personal,
    subject_link,
)
from privacy.policy import ACCOUNTING_ACT, EVENT_FOLLOW_UP, EVENTS, WHILE_CUSTOMER


def test_event_data_is_due_the_organisers_number_of_days_after_the_event():
    event = SimpleNamespace(retention_days=30)

    due = EVENT_FOLLOW_UP.event_data_due(event_ended=datetime.date(2026, 3, 1), event=event)

    assert due == datetime.date(2026, 3, 31)


def test_billing_is_kept_until_six_years_from_the_end_of_the_events_year():
    event = SimpleNamespace(retention_days=30)

    for ended in (datetime.date(2026, 1, 2), datetime.date(2026, 12, 31)):
        due = ACCOUNTING_ACT.event_data_due(event_ended=ended, event=event)
        assert due == datetime.date(2033, 1, 1)


def test_a_rule_not_counted_from_an_event_is_never_due_for_the_shredder():
    assert not WHILE_CUSTOMER.per_event
    assert WHILE_CUSTOMER.event_data_due(event_ended=datetime.date(2026, 1, 1), event=None) is None


def _event_field(erasure=None):
    return personal(
        Category.PARTICIPATION, purpose=EVENTS, retention=EVENT_FOLLOW_UP, erasure=erasure
    )


@isolate_apps("events")
def test_a_model_with_per_event_data_must_reach_one_event():
    class Event(models.Model):
        retention_days = models.PositiveIntegerField(default=180)

        class Meta:
            app_label = "events"

    class Note(models.Model):
        text = models.TextField()

        class Meta:
            app_label = "events"

    class Twice(models.Model):
        first = models.ForeignKey(Event, models.CASCADE, related_name="+")
        second = models.ForeignKey(Event, models.CASCADE, related_name="+")
        text = models.TextField()

        class Meta:
            app_label = "events"

    registry = DeclarationRegistry()
    registry.declare(Event, subject=None, fields={"retention_days": not_personal()})
    for model in (Note, Twice):
        fields = {f.name: not_personal() for f in model._meta.concrete_fields}
        registry.declare(model, subject=None, fields={**fields, "text": _event_field()})

    errors = check_declarations(apps=Event._meta.apps, registry=registry, app_labels=["events"])

    assert sorted((e.id, e.obj.__name__) for e in errors if e.id == "privacy.E016") == [
        ("privacy.E016", "Note"),
        ("privacy.E016", "Twice"),
    ]
    assert event_paths(Twice) == ["first", "second"]

    # Saying which way is meant settles it; a path that does not lead to the event does not.
    for path, problems in (("first", 0), ("text", 1)):
        registry = DeclarationRegistry()
        registry.declare(Event, subject=None, fields={"retention_days": not_personal()})
        fields = {f.name: not_personal() for f in Twice._meta.concrete_fields}
        registry.declare(Twice, subject=None, fields={**fields, "text": _event_field()}, event=path)
        errors = check_declarations(apps=Event._meta.apps, registry=registry, app_labels=["events"])
        assert len([e for e in errors if e.id == "privacy.E016"]) == problems


@isolate_apps("events")
def test_an_anonymised_row_must_be_able_to_lose_its_person():
    from crm.models import Contact

    class Event(models.Model):
        retention_days = models.PositiveIntegerField(default=180)

        class Meta:
            app_label = "events"

    class Registration(models.Model):
        event = models.ForeignKey(Event, models.CASCADE)
        contact = models.ForeignKey(Contact, models.CASCADE, related_name="+")
        note = models.TextField(blank=True)

        class Meta:
            app_label = "events"

    class Answer(models.Model):
        registration = models.ForeignKey(Registration, models.CASCADE)
        value = models.TextField()

        class Meta:
            app_label = "events"

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
            "note": _event_field(Erasure.replace("")),
        },
    )
    registry.declare(
        Answer,
        subject="registration__contact",
        erase=RowErasure.DELETE,
        merge=MergeRule.MOVE,
        fields={"registration": not_personal(), "value": _event_field()},
    )

    errors = check_declarations(apps=Event._meta.apps, registry=registry, app_labels=["events"])

    assert [(e.id, e.obj.__name__) for e in errors if e.id == "privacy.E016"] == [
        ("privacy.E016", "Registration")
    ]
    assert event_paths(Answer) == ["registration__event"]
