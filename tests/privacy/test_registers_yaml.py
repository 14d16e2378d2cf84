"""A register description round-trips through YAML, and a broken file changes nothing while
every problem in it is named with its path."""

import copy
import io

import pytest
import yaml
from django.core.management import CommandError, call_command

from privacy.demo import CUSTOMER_REGISTER
from privacy.models import Register, RegisterText
from privacy.registers import RegisterInvalid, as_document, as_yaml, fingerprint
from privacy.services import register_load

from .registers_helpers import customer_register

pytestmark = pytest.mark.django_db


def test_dump_and_load_round_trip_the_description(tmp_path):
    register = customer_register()
    before, printed = as_yaml(register), fingerprint(register)
    out = io.StringIO()
    call_command("dump_register", "Asiakasrekisteri", stdout=out)
    assert out.getvalue() == before

    path = tmp_path / "register.yaml"
    path.write_text(out.getvalue(), encoding="utf-8")
    Register.objects.all().delete()
    call_command("load_register", str(path), stdout=io.StringIO())

    loaded = Register.objects.get(name="Asiakasrekisteri")
    assert as_yaml(loaded) == before
    assert fingerprint(loaded) == printed
    assert sorted(t.language for t in loaded.texts.all()) == ["en", "fi", "sv"]


def test_loading_again_updates_the_register_and_drops_a_missing_language():
    register = customer_register()
    document = as_document(register)
    del document["texts"]["sv"]
    document["texts"]["fi"]["title"] = "Uusi nimi"
    old_fingerprint = fingerprint(register)

    register_load(document=document)

    register.refresh_from_db()
    assert Register.objects.count() == 1
    assert register.texts.get(language="fi").title == "Uusi nimi"
    assert not register.texts.filter(language="sv").exists()
    assert fingerprint(register) != old_fingerprint


def test_an_invalid_file_names_every_problem_with_its_path_and_changes_nothing():
    register = customer_register()
    before = as_yaml(register)
    document = copy.deepcopy(CUSTOMER_REGISTER)
    document["purposes"] = ["customer_relationship", "marketing", "x"]
    document["apps"] = ["crm", "payroll"]
    document["categories"] = ["identity", "shoe_size"]
    document["controller"] = {"email": "not an email", "fax": "123"}
    document["texts"]["fi"]["title"] = ""
    document["texts"]["de"] = {"title": "Kundenregister"}
    document["texts"]["en"]["subject_groups"] = "one string"
    document["colour"] = "blue"

    with pytest.raises(RegisterInvalid) as raised:
        register_load(document=document)

    problems = raised.value.problems
    for expected in (
        'purposes[2]: unknown purpose "x"',
        'apps[1]: unknown app "payroll"',
        'categories[1]: unknown category "shoe_size"',
        "controller.fax: unknown key",
        "colour: unknown key",
        "texts.de: unknown language (fi, sv or en)",
        "texts.en.subject_groups: expected a list",
    ):
        assert expected in problems
    assert any(p.startswith("controller.email: ") for p in problems)
    assert any(p.startswith("texts.fi.title: ") for p in problems)
    register.refresh_from_db()
    assert as_yaml(register) == before


def test_the_command_reports_the_problems_and_a_yaml_syntax_error(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: Rekisteri\npurposes: [x\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("load_register", str(path), stderr=err)
    assert "not valid YAML" in err.getvalue()
    assert "line" in err.getvalue()

    path.write_text(yaml.safe_dump({"name": "Rekisteri", "purposes": ["x"]}), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_register", str(path), stderr=err)
    assert 'purposes[0]: unknown purpose "x"' in err.getvalue()
    assert "slug: " in err.getvalue()
    assert "texts: a register needs its texts" in err.getvalue()
    assert not Register.objects.exists()
    assert not RegisterText.objects.exists()


def test_dumping_an_unknown_register_is_refused():
    with pytest.raises(CommandError, match="No register"):
        call_command("dump_register", "Ei ole", stdout=io.StringIO())
