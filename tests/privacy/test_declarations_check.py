"""The declaration check: no field escapes the declarations, no declaration names a ghost."""

import dataclasses

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import models
from django.test.utils import isolate_apps

from privacy import declarations
from privacy.checks import check_declarations
from privacy.declarations import (
    Category,
    DeclarationRegistry,
    Erasure,
    MergeRule,
    RowErasure,
    not_personal,
    personal,
    personal_copy,
    subject_link,
)
from privacy.policy import CUSTOMER_RELATIONSHIP, WHILE_CUSTOMER


def _personal(erasure=None):
    return personal(
        Category.IDENTITY,
        purpose=CUSTOMER_RELATIONSHIP,
        retention=WHILE_CUSTOMER,
        erasure=erasure or Erasure.replace(""),
    )


def _deleted():
    """A field of a model whose rows erasure deletes: no field rule."""
    return personal(Category.IDENTITY, purpose=CUSTOMER_RELATIONSHIP, retention=WHILE_CUSTOMER)


def _ids(errors):
    return sorted(e.id for e in errors)


def test_the_project_declares_every_field():
    errors = check_declarations()
    assert errors == [], [str(e) for e in errors]


def test_manage_py_check_fails_when_a_real_field_loses_its_declaration(monkeypatch):
    from crm.models import Contact

    original = declarations.registry.get(Contact)
    fields = dict(original.fields)
    del fields["email"]
    patched = dataclasses.replace(original, fields=fields)
    monkeypatch.setitem(declarations.registry._declarations, "crm.Contact", patched)

    with pytest.raises(SystemCheckError, match=r"privacy\.E001.*crm\.Contact\.email"):
        call_command("check")


@isolate_apps("crm")
def test_an_undeclared_field_is_an_error():
    class Thing(models.Model):
        name = models.CharField(max_length=10)
        nickname = models.CharField(max_length=10)

        class Meta:
            app_label = "crm"

    registry = DeclarationRegistry()
    registry.declare(Thing, subject=None, fields={"name": not_personal()})

    errors = check_declarations(apps=Thing._meta.apps, registry=registry, app_labels=["crm"])

    assert _ids(errors) == ["privacy.E001"]
    assert "crm.Thing.nickname" in errors[0].msg


@isolate_apps("crm")
def test_a_model_without_any_declaration_reports_every_field():
    class Thing(models.Model):
        name = models.CharField(max_length=10)
        tags = models.ManyToManyField("self")

        class Meta:
            app_label = "crm"

    errors = check_declarations(
        apps=Thing._meta.apps, registry=DeclarationRegistry(), app_labels=["crm"]
    )

    assert _ids(errors) == ["privacy.E001", "privacy.E001"]


@isolate_apps("crm")
def test_declaring_a_field_that_does_not_exist_is_an_error():
    class Thing(models.Model):
        name = models.CharField(max_length=10)

        class Meta:
            app_label = "crm"

    registry = DeclarationRegistry()
    registry.declare(
        Thing, subject=None, fields={"name": not_personal(), "shoe_size": not_personal()}
    )

    errors = check_declarations(apps=Thing._meta.apps, registry=registry, app_labels=["crm"])

    assert _ids(errors) == ["privacy.E002"]
    assert "shoe_size" in errors[0].msg


@isolate_apps("crm")
def test_personal_data_must_lead_to_the_person():
    class Note(models.Model):
        text = models.TextField()

        class Meta:
            app_label = "crm"

    registry = DeclarationRegistry()
    registry.declare(Note, subject=None, fields={"text": _personal()})

    errors = check_declarations(apps=Note._meta.apps, registry=registry, app_labels=["crm"])

    assert _ids(errors) == ["privacy.E003"]


@isolate_apps("crm")
def test_a_replacement_value_the_column_refuses_is_an_error():
    class Person(models.Model):
        name = models.CharField(max_length=5)
        born = models.DateField()

        class Meta:
            app_label = "crm"

    registry = DeclarationRegistry()
    registry.declare(
        Person,
        subject="",
        erase=RowErasure.ANONYMISE,
        fields={
            "name": _personal(Erasure.replace("far too long")),
            "born": _personal(Erasure.replace(None)),
        },
    )
    # The isolated Person is not crm.Contact, so E003 fires too; E004 is what we look at.
    errors = check_declarations(apps=Person._meta.apps, registry=registry, app_labels=["crm"])

    assert [e.id for e in errors if e.id == "privacy.E004"] == ["privacy.E004"] * 2


@isolate_apps("crm")
def test_a_model_that_deletes_its_rows_cannot_also_keep_or_replace_fields():
    from crm.models import Contact

    class Row(models.Model):
        contact = models.ForeignKey(Contact, models.CASCADE, related_name="+")
        a = models.CharField(max_length=5)
        b = models.CharField(max_length=5)

        class Meta:
            app_label = "crm"

    registry = DeclarationRegistry()
    registry.declare(
        Row,
        subject="contact",
        erase=RowErasure.DELETE,
        merge=MergeRule.MOVE,
        fields={
            "contact": subject_link(),
            "a": _deleted(),
            "b": _personal(Erasure.keep(law="Kirjanpitolaki 2:10", period_days=2555)),
        },
    )
    errors = check_declarations(apps=Row._meta.apps, registry=registry, app_labels=["crm"])

    assert _ids(errors) == ["privacy.E005"]
    assert "b" in errors[0].msg


@isolate_apps("crm")
def test_an_anonymised_model_says_per_field_what_replaces_it_or_why_it_is_kept():
    from crm.models import Contact

    class Invoice(models.Model):
        contact = models.ForeignKey(Contact, models.CASCADE, related_name="+")
        payer = models.CharField(max_length=50)
        total = models.CharField(max_length=50)

        class Meta:
            app_label = "crm"

    registry = DeclarationRegistry()
    registry.declare(
        Invoice,
        subject="contact",
        erase=RowErasure.ANONYMISE,
        merge=MergeRule.MOVE,
        fields={
            "contact": subject_link(),
            "payer": _personal(Erasure.keep(law="Kirjanpitolaki 2:10", period_days=2555)),
            "total": _deleted(),  # no rule: neither replaced nor kept
        },
    )
    errors = check_declarations(apps=Invoice._meta.apps, registry=registry, app_labels=["crm"])

    assert _ids(errors) == ["privacy.E010"]
    assert "total" in errors[0].msg


@isolate_apps("crm")
def test_a_row_of_a_person_says_what_erasure_and_a_merge_do_to_it():
    from crm.models import Contact

    class Note(models.Model):
        contact = models.ForeignKey(Contact, models.CASCADE, related_name="+")
        text = models.TextField()

        class Meta:
            app_label = "crm"

    registry = DeclarationRegistry()
    registry.declare(
        Note, subject="contact", fields={"contact": subject_link(), "text": _deleted()}
    )
    errors = check_declarations(apps=Note._meta.apps, registry=registry, app_labels=["crm"])

    assert _ids(errors) == ["privacy.E010", "privacy.E011"]


@isolate_apps("crm")
def test_an_appended_ledger_must_survive_the_duplicates_removal():
    from crm.models import Contact

    class Ledger(models.Model):
        contact = models.ForeignKey(Contact, models.CASCADE, related_name="+")
        event = models.CharField(max_length=20)

        class Meta:
            app_label = "crm"

    registry = DeclarationRegistry()
    registry.declare(
        Ledger,
        subject="contact",
        erase=RowErasure.DELETE,
        merge=MergeRule.APPEND,
        fields={"contact": subject_link(), "event": _deleted()},
    )
    errors = check_declarations(apps=Ledger._meta.apps, registry=registry, app_labels=["crm"])

    assert _ids(errors) == ["privacy.E012"]
    assert "DO_NOTHING" in errors[0].msg


def test_a_model_outside_the_declared_apps_that_links_to_the_person_must_be_declared():
    from crm.models import Membership

    registry = DeclarationRegistry()
    for declaration in declarations.registry:
        if declaration.model is not Membership:
            registry._declarations[declaration.model_label] = declaration

    errors = check_declarations(registry=registry, app_labels=[])

    assert [e.id for e in errors if e.obj is Membership] == ["privacy.E011"]


def test_the_audit_trail_is_checked_although_another_package_owns_it(monkeypatch):
    from auditlog.models import LogEntry

    original = declarations.registry.get(LogEntry)
    fields = dict(original.fields)
    del fields["object_repr"]
    monkeypatch.setitem(
        declarations.registry._declarations,
        "auditlog.LogEntry",
        dataclasses.replace(original, fields=fields),
    )

    with pytest.raises(SystemCheckError, match=r"privacy\.E001.*auditlog\.LogEntry\.object_repr"):
        call_command("check")


def test_an_undeclared_outside_model_fails_the_check(monkeypatch):
    from auditlog.models import LogEntry

    monkeypatch.delitem(declarations.registry._declarations, LogEntry._meta.label)

    errors = check_declarations()

    assert {e.id for e in errors} == {"privacy.E001"}
    assert all(e.obj is LogEntry for e in errors)


def test_a_declared_outside_model_that_does_not_exist_is_an_error():
    errors = check_declarations(model_labels=["auditlog.NoSuchModel"])

    assert "privacy.E015" in _ids(errors)


@isolate_apps("crm")
def test_a_copy_must_name_a_declared_model_and_be_json():
    from crm.models import Contact

    class Snapshot(models.Model):
        contact = models.ForeignKey(Contact, models.CASCADE, related_name="+")
        values = models.TextField()

        class Meta:
            app_label = "crm"

    registry = DeclarationRegistry()
    registry.declare(
        Snapshot,
        subject="contact",
        erase=RowErasure.DELETE,
        merge=MergeRule.MOVE,
        fields={
            "contact": subject_link(),
            "values": personal_copy(
                "crm.NotDeclared", purpose=CUSTOMER_RELATIONSHIP, retention=WHILE_CUSTOMER
            ),
        },
    )
    errors = check_declarations(apps=Snapshot._meta.apps, registry=registry, app_labels=["crm"])

    messages = [e.msg for e in errors if e.id == "privacy.E013"]
    assert len(messages) == 2
    assert any("JSON" in m for m in messages) and any("not declared" in m for m in messages)


def test_a_subject_link_must_start_the_subject_path():
    from crm.models import Membership

    registry = DeclarationRegistry()
    real = declarations.registry.get(Membership)
    fields = {**real.fields, "organisation": subject_link()}
    registry.declare(
        Membership, subject="contact", erase=real.erase, merge=real.merge, fields=fields
    )

    errors = check_declarations(registry=registry, app_labels=["crm"])

    assert [e.id for e in errors if e.obj is Membership] == ["privacy.E006"]


def test_a_model_is_declared_once():
    from crm.models import Contact

    with pytest.raises(ValueError, match="declared twice"):
        declarations.registry.declare(Contact, subject="", fields={})


def test_a_legal_hold_names_its_law_and_period():
    with pytest.raises(ValueError):
        Erasure.keep(law="", period_days=10)
    with pytest.raises(ValueError):
        Erasure.keep(law="Kirjanpitolaki", period_days=0)


@isolate_apps("crm")
def test_a_second_link_to_the_person_is_an_error():
    from crm.models import Contact

    class Referral(models.Model):
        contact = models.ForeignKey(Contact, models.CASCADE, related_name="+")
        referred_by = models.ForeignKey(Contact, models.CASCADE, related_name="+")

        class Meta:
            app_label = "crm"

    registry = DeclarationRegistry()
    registry.declare(
        Referral,
        subject="contact",
        erase=RowErasure.DELETE,
        merge=MergeRule.MOVE,
        fields={"contact": subject_link(), "referred_by": _deleted()},
    )
    errors = check_declarations(apps=Referral._meta.apps, registry=registry, app_labels=["crm"])

    assert [e.id for e in errors if e.obj is Referral] == ["privacy.E007"]
    assert "referred_by" in errors[-1].msg


@isolate_apps("crm")
def test_a_link_to_the_person_cannot_hide_as_not_personal():
    from crm.models import Contact

    class Badge(models.Model):
        holder = models.ForeignKey(Contact, models.CASCADE, related_name="+")

        class Meta:
            app_label = "crm"

    registry = DeclarationRegistry()
    registry.declare(Badge, subject=None, fields={"holder": not_personal()})
    errors = check_declarations(apps=Badge._meta.apps, registry=registry, app_labels=["crm"])

    assert "privacy.E007" in _ids(errors)


@isolate_apps("crm")
def test_a_row_of_a_person_must_say_what_it_holds():
    from crm.models import Contact

    class Subscription(models.Model):
        contact = models.ForeignKey(Contact, models.CASCADE, related_name="+")

        class Meta:
            app_label = "crm"

    registry = DeclarationRegistry()
    registry.declare(
        Subscription,
        subject="contact",
        erase=RowErasure.DELETE,
        merge=MergeRule.MOVE,
        fields={"contact": subject_link()},
    )
    errors = check_declarations(apps=Subscription._meta.apps, registry=registry, app_labels=["crm"])

    assert _ids(errors) == ["privacy.E009"]


@isolate_apps("crm")
def test_unmanaged_models_are_checked_too():
    class LegacyView(models.Model):
        name = models.CharField(max_length=10)

        class Meta:
            app_label = "crm"
            managed = False

    errors = check_declarations(
        apps=LegacyView._meta.apps, registry=DeclarationRegistry(), app_labels=["crm"]
    )

    assert _ids(errors) == ["privacy.E001"]


def test_a_declaration_for_a_model_nobody_checks_is_an_error():
    from django.contrib.auth.models import Group

    registry = DeclarationRegistry()
    registry.declare(Group, subject=None, fields={"name": not_personal()})

    errors = check_declarations(registry=registry, app_labels=["crm"])

    assert [e.id for e in errors if e.id == "privacy.E008"] == ["privacy.E008"]


@isolate_apps("crm")
def test_erasure_values_must_be_valid_choices_and_not_collide():
    class Person(models.Model):
        kind = models.CharField(max_length=5, choices=[("a", "A")])
        code = models.CharField(max_length=5, unique=True)

        class Meta:
            app_label = "crm"

    registry = DeclarationRegistry()
    registry.declare(
        Person,
        subject="",
        erase=RowErasure.ANONYMISE,
        fields={"kind": _personal(Erasure.replace("zzz")), "code": _personal(Erasure.replace("X"))},
    )
    errors = check_declarations(apps=Person._meta.apps, registry=registry, app_labels=["crm"])

    messages = [e.msg for e in errors if e.id == "privacy.E004"]
    assert len(messages) == 2
    assert any("choices" in m for m in messages) and any("unique" in m for m in messages)


@isolate_apps("crm")
def test_inherited_fields_are_declared_once_on_the_parent():
    class Base(models.Model):
        name = models.CharField(max_length=5)

        class Meta:
            app_label = "crm"

    class Child(Base):
        extra = models.CharField(max_length=5)

        class Meta:
            app_label = "crm"

    registry = DeclarationRegistry()
    registry.declare(Base, subject=None, fields={"name": not_personal()})
    registry.declare(Child, subject=None, fields={"extra": not_personal()})

    errors = check_declarations(apps=Base._meta.apps, registry=registry, app_labels=["crm"])

    assert errors == []


@isolate_apps("crm")
def test_a_legal_hold_counted_from_a_field_that_is_not_a_date_is_an_error():
    """A request's transitions once counted their hold from the request's received_at, which a
    transition does not have: the erasure preview failed for everyone with a request."""

    class Voucher(models.Model):
        payer = models.CharField(max_length=50)
        at = models.DateTimeField()

        class Meta:
            app_label = "crm"

    registry = DeclarationRegistry()
    registry.declare(
        Voucher,
        subject="",
        erase=RowErasure.ANONYMISE,
        fields={
            "payer": _personal(Erasure.keep(law="Law", period_days=10, counted_from="received")),
            "at": _personal(Erasure.keep(law="Law", period_days=10, counted_from="at")),
        },
    )
    errors = check_declarations(apps=Voucher._meta.apps, registry=registry, app_labels=["crm"])

    assert [e.msg for e in errors if e.id == "privacy.E017"] == [
        "crm.Voucher.payer: the legal hold counts from 'received', which is not a date field of "
        "the model."
    ]
