"""The rights-request log: requests of a period by right and outcome, the median days to
answer, extensions, and those answered late or still open past their deadline."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from privacy.models import RequestTransition, RightsRequest
from privacy.reports import request_log, request_log_pdf

from .registers_helpers import pdf_text

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _request(
    kind, received, *, answered_after=None, state=None, extended_days=None, channel="letter"
):
    # By letter: staff checked the identity, so the request counts whatever its state.
    request = RightsRequest.objects.create(
        type=kind,
        channel=channel,
        email="pyytaja@example.com",
        received_at=received,
        due_at=received + 30 * DAY,
        state=state or RightsRequest.State.RECEIVED,
        extended_until=received + extended_days * DAY if extended_days else None,
    )
    if answered_after is not None:
        at = received + answered_after * DAY
        if request.state == RightsRequest.State.COMPLETED:
            request.completed_at = at
            request.save()
        else:
            RequestTransition.objects.create(request=request, to_state=request.state, at=at)
    return request


@pytest.fixture
def requests_of_october():
    base = timezone.now() - 60 * DAY
    done = RightsRequest.State.COMPLETED
    _request("access", base, answered_after=10, state=done)
    _request("access", base, answered_after=20, state=done)
    _request("access", base, answered_after=40, state=done)  # late
    _request("erasure", base, answered_after=50, state=done, extended_days=90)  # extended, in time
    _request("erasure", base, answered_after=5, state=RightsRequest.State.REJECTED)
    overdue = _request("rectification", base)  # still open, 30 days past its deadline
    _request("access", base - 400 * DAY, answered_after=1, state=done)  # outside the period
    return base, overdue


def test_the_log_counts_by_right_and_outcome(requests_of_october):
    base, overdue = requests_of_october
    # The labels are in the active language; another test may have left Finnish on.
    with translation.override("en"):
        log = request_log(start=(base - 5 * DAY).date(), end=timezone.localdate())
        rows = {str(r.type_label): r for r in log.rows}
    access = rows["Access (see my data)"]
    assert (access.received, access.completed, access.overdue) == (3, 3, 1)
    assert access.median_days == 20.0
    erasure = rows["Erasure (erase my data)"]
    assert (erasure.received, erasure.completed, erasure.rejected, erasure.extended) == (2, 1, 1, 1)
    assert erasure.overdue == 0
    assert log.total.received == 6
    assert log.total.open == 1
    assert [(r.pk, still_open) for r, _days, still_open in log.overdue if still_open] == [
        (overdue.pk, True)
    ]


def test_portal_requests_nobody_confirmed_are_not_counted_but_noted(requests_of_october):
    base, _overdue = requests_of_october
    # Anyone may type any address on the portal: until the mailed link is opened, nobody has
    # proved it, and the portal files such requests alike for unknown addresses.
    phantoms = [_request("access", base, channel="portal").pk for _i in range(3)]
    confirmed = _request("access", base, channel="portal", state=RightsRequest.State.IN_PROGRESS)
    RequestTransition.objects.create(
        request=confirmed, to_state=RightsRequest.State.IDENTITY_VERIFIED, at=base
    )
    start, end = (base - 5 * DAY).date(), timezone.localdate()

    log = request_log(start=start, end=end)

    assert log.total.received == 7  # the six by letter and the confirmed one
    assert log.unconfirmed == 3
    assert not {request.pk for request, _d, _o in log.overdue} & set(phantoms)
    text = pdf_text(request_log_pdf("en", start=start, end=end))
    assert "Not counted: 3 requests made on the privacy portal" in " ".join(text.split())


def test_the_pdf_and_the_command_show_the_log(requests_of_october, tmp_path):
    base, overdue = requests_of_october
    text = pdf_text(request_log_pdf("fi", start=(base - DAY).date(), end=timezone.localdate()))
    assert "pyytaja@example.com" not in text  # counts and dates, not who asked
    assert str(overdue.pk) in text

    target = tmp_path / "requests.pdf"
    call_command("dpo_report", "requests", "--output", str(target), stdout=io.StringIO())
    assert target.read_bytes().startswith(b"%PDF")


def test_the_admin_refuses_a_bad_period_and_others_are_refused(dpo, sales):
    url = reverse("admin:privacy_register_requests")
    assert dpo.client.get(url).status_code == 200
    assert dpo.client.get(url, {"start": "2026-12-01", "end": "2026-01-01"}).status_code == 400
    assert dpo.client.get(url, {"start": "eilen", "end": "2026-01-01"}).status_code == 400
    assert (
        dpo.client.get(url + "csv/", {"start": "2026-01-01", "end": "2026-12-31"}).status_code
        == 200
    )
    assert sales.client.get(url).status_code == 403
