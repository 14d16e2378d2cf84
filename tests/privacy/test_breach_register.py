"""The breach register: the 72-hour countdown in the admin, the reminders to the DPO role, and
its own PDF."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from privacy.models import Breach
from privacy.reports import breach_pdf
from privacy.services import breach_deadline_warn, breach_save

from .registers_helpers import pdf_text

pytestmark = pytest.mark.django_db


def _breach(hours_ago: float, **extra) -> Breach:
    return breach_save(
        breach=Breach(
            discovered_at=timezone.now() - datetime.timedelta(hours=hours_ago),
            nature="Osallistujalista lähetettiin väärälle vastaanottajalle",
            categories=["identity", "contact"],
            people_affected=40,
            records_affected=40,
            **extra,
        )
    )


def test_the_admin_counts_the_72_hours_down(dpo):
    _breach(hours_ago=10)
    page = dpo.client.get(reverse("admin:privacy_breach_changelist")).content.decode()
    assert "61 h" in page or "62 h" in page
    assert "jäljellä" in page


def test_a_passed_deadline_is_shown_as_passed(dpo):
    _breach(hours_ago=80)
    page = dpo.client.get(reverse("admin:privacy_breach_changelist")).content.decode()
    assert "umpeutui" in page


def test_the_dpo_is_mailed_once_as_the_deadline_nears_and_once_when_it_passes(dpo, sales):
    breach = _breach(hours_ago=60)

    assert breach_deadline_warn() == 1
    assert breach_deadline_warn() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [dpo.user.email]
    assert "lähestyy" in mail.outbox[0].subject
    assert "Osallistujalista" not in mail.outbox[0].body  # the mail carries no details

    later = timezone.now() + datetime.timedelta(hours=13)
    assert breach_deadline_warn(now=later) == 1
    assert "umpeutunut" in mail.outbox[1].subject
    assert breach_deadline_warn(now=later) == 0
    assert breach.pk


def test_a_notified_breach_or_a_fresh_one_is_not_mailed(dpo):
    _breach(hours_ago=70, authority_notified_at=timezone.now())
    _breach(hours_ago=70, not_notified_reason="Salattu laite, avain ei vuotanut")
    _breach(hours_ago=1)
    assert breach_deadline_warn() == 0
    assert mail.outbox == []


def test_the_admin_refuses_a_notification_before_discovery(dpo):
    url = reverse("admin:privacy_breach_add")
    response = dpo.client.post(
        url,
        {
            "discovered_at_0": "2026-11-20",
            "discovered_at_1": "10:00:00",
            "nature": "Kadonnut kannettava",
            "categories": ["contact"],
            "people_affected": "5",
            "records_affected": "5",
            "authority_notified_at_0": "2026-11-19",
            "authority_notified_at_1": "10:00:00",
        },
    )
    assert response.status_code == 200
    assert not Breach.objects.exists()

    response = dpo.client.post(
        url,
        {
            "discovered_at_0": "2026-11-20",
            "discovered_at_1": "10:00:00",
            "nature": "Kadonnut kannettava",
            "categories": ["contact"],
            "people_affected": "5",
            "records_affected": "5",
        },
    )
    assert response.status_code == 302
    assert Breach.objects.get().recorded_by == dpo.user


def test_the_breach_register_pdf_lists_each_breach():
    _breach(hours_ago=5, measures="Vastaanottajaa pyydettiin poistamaan viesti")
    text = pdf_text(breach_pdf("fi"))
    assert "Tietoturvaloukkausrekisteri" in text
    assert "Osallistujalista" in text
    assert "Ei vielä ilmoitettu" in text
