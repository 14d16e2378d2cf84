"""Finnish and Swedish are complete, and the compiled catalogues match their sources."""

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[1] / "locale"


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_every_message_is_translated(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))

    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]

    assert untranslated == [] and fuzzy == [], (untranslated, fuzzy)


def test_swedish_holds_every_message_finnish_has():
    """Swedish-speaking people get mails, exports and notices in Swedish: a string added with
    only its Finnish translation would reach them in English."""
    folder = LOCALE / "{}" / "LC_MESSAGES" / "django.po"
    finnish = {(e.msgctxt, e.msgid) for e in polib.pofile(str(folder).format("fi"))}
    swedish = {(e.msgctxt, e.msgid) for e in polib.pofile(str(folder).format("sv"))}

    assert sorted(finnish - swedish, key=str) == []


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_compiled_catalogue_matches_its_source(language):
    """A .po edited without `make messages` would otherwise ship stale translations."""
    folder = LOCALE / language / "LC_MESSAGES"
    # Keyed with the context: "Extended" (a request's state) and the request log's "Extended"
    # (a column of counts) are two messages.
    po = {
        (e.msgctxt, e.msgid): e.msgstr
        for e in polib.pofile(str(folder / "django.po"))
        if e.translated()
    }
    mo = {
        (e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(folder / "django.mo")) if e.msgid
    }

    assert mo == po


def test_catalogues_contain_every_message_in_the_source(tmp_path, settings, monkeypatch):
    """A string added without `make messages` would show up untranslated; this catches it.

    makemessages writes into the nearest ``locale`` folder of the tree it reads, so it runs in a
    copy of the project's sources (linked, not copied) whose only catalogue is a scratch copy:
    the committed catalogues are never touched.
    """
    import shutil

    from django.core.management import call_command

    root = LOCALE.parent
    shutil.copytree(LOCALE, tmp_path / "locale")
    for source in ("config", "crm", "consent", "events", "privacy", "templates"):
        (tmp_path / source).symlink_to(root / source, target_is_directory=True)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["fi"], symlinks=True, no_obsolete=True, verbosity=0)

    fresh = {e.msgid for e in polib.pofile(str(tmp_path / "locale/fi/LC_MESSAGES/django.po"))}
    committed = {e.msgid for e in polib.pofile(str(LOCALE / "fi/LC_MESSAGES/django.po"))}
    assert len(fresh) > 100, "makemessages read no sources"
    assert fresh - committed == set(), "run `make messages` and translate the new strings"
