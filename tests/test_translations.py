"""Finnish and Swedish are complete, and the compiled catalogues match their sources."""

import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

LOCALE = Path(__file__).resolve().parents[1] / "locale"


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_message_is_translated(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))

    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]

    assert untranslated == [] and fuzzy == [], (untranslated, fuzzy)


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_compiled_catalogue_matches_its_source(language):
    """A .po edited without `make messages` would otherwise ship stale translations."""
    folder = LOCALE / language / "LC_MESSAGES"
    po = {e.msgid: e.msgstr for e in polib.pofile(str(folder / "django.po")) if e.translated()}
    mo = {e.msgid: e.msgstr for e in polib.mofile(str(folder / "django.mo")) if e.msgid}

    assert mo == po


def test_catalogues_contain_every_message_in_the_source(tmp_path, settings, monkeypatch):
    """A string added without `make messages` would show up untranslated; this catches it.

    makemessages writes into the ``locale`` folder beside the sources it reads, so it runs on a
    copy of the sources: the committed catalogues stay as they are, and the fresh ones are the
    copy's."""
    root = LOCALE.parent
    copy = tmp_path / "src"
    shutil.copytree(
        root,
        copy,
        ignore=shutil.ignore_patterns(
            ".*", "__pycache__", "*.egg-info", "bench", "tests", "staticfiles", "media", "*.sqlite3"
        ),
    )
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["fi"], no_obsolete=True, verbosity=0)

    fresh = {e.msgid for e in polib.pofile(str(copy / "locale/fi/LC_MESSAGES/django.po"))}
    committed = {e.msgid for e in polib.pofile(str(LOCALE / "fi/LC_MESSAGES/django.po"))}
    assert fresh - committed == set(), "run `make messages` and translate the new strings"
