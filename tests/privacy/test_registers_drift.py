"""The drift check: a stored category no register covers, and a register's category that no
field holds, are both warned about (system check and the report's own section)."""

import pytest
from django.core import checks

from privacy.checks import registers_cover_the_declarations
from privacy.models import Register
from privacy.registers import drift
from privacy.reports import register_pdf

from .registers_helpers import customer_register, event_register, pdf_text, squeezed

pytestmark = pytest.mark.django_db


def _ids():
    return [m.id for m in registers_cover_the_declarations(databases=["default"])]


def test_the_demo_registers_cover_everything_the_system_stores():
    customer_register()
    event_register()
    assert not drift()
    assert _ids() == []


def test_a_stored_category_no_register_covers_is_warned_about():
    customer_register()  # no register covers the events app: participation data is uncovered
    messages = registers_cover_the_declarations(databases=["default"])
    assert "privacy.W001" in [m.id for m in messages]
    assert any("participation" in m.msg for m in messages)
    assert all(m.level == checks.WARNING for m in messages)


def test_a_register_claiming_a_category_no_field_holds_is_warned_about(monkeypatch):
    from privacy import registers

    customer_register()
    event_register()
    register = Register.objects.get(name="Tapahtumarekisteri")
    register.categories = ["financial"]
    register.save()
    real = registers.declared_fields
    monkeypatch.setattr(
        registers,
        "declared_fields",
        lambda: [f for f in real() if f.categories != (registers.Category.FINANCIAL,)],
    )

    found = drift()

    assert found.unfounded == [("Tapahtumarekisteri", registers.Category.FINANCIAL)]
    assert "privacy.W002" in _ids()


def test_manage_py_check_with_the_database_shows_the_warning():
    import io

    from django.core.management import call_command

    customer_register()
    err = io.StringIO()
    call_command("check", "--database", "default", stderr=err, stdout=err)
    assert "privacy.W001" in err.getvalue()


def test_the_register_report_has_a_section_on_drift():
    register = customer_register()
    text = pdf_text(register_pdf(register, "en"))
    assert "Consistency with the declarations" in text
    assert squeezed("no register description covers") in squeezed(text)


def test_the_audit_trail_belongs_to_the_app_that_declares_it():
    from privacy.registers import covered_fields

    register = customer_register()  # covers crm, consent and privacy
    dotted = {f.dotted for f in covered_fields(register)}
    assert "auditlog.LogEntry.object_repr" in dotted
    assert "crm.ContactMerge.merged_email" in dotted


def test_the_dpo_sees_the_drift_on_the_register_list(dpo):
    customer_register()  # nothing covers the events app's participation data
    page = dpo.client.get("/admin/privacy/register/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Järjestelmä tallentaa tietoryhmän" in text
    event_register()
    page = dpo.client.get("/admin/privacy/register/")
    assert "Järjestelmä tallentaa tietoryhmän" not in page.content.decode()
