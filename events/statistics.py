"""Statistics of an event that contain no personal data and survive the shredder.

Counts by status, attendance and registration day describe how the event went; counts by
municipality and organisation relationship describe the people, and a small count would single
one out ("the one participant from Kustavi"). Those two dimensions are therefore shown only in
groups of at least ``MIN_GROUP`` people: smaller groups are merged into "other", and if "other"
would itself be smaller, the next smallest groups join it until it is not (a lone small "other"
beside a known total would give the small group away by subtraction). See docs/architecture.md,
"The event data shredder".
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count

#: The smallest group the person-describing statistics show (the usual threshold of official
#: statistics for small-area counts).
MIN_GROUP = 5

#: The key under which merged small groups are counted.
OTHER = "__other__"


def grouped(counts: Mapping[str, int], *, min_group: int = MIN_GROUP) -> dict[str, int]:
    """``counts`` with every group of fewer than ``min_group`` people merged into ``OTHER``
    (and ``OTHER`` grown from the smallest groups until it has at least ``min_group`` or is
    everything). Empty groups are left out; the total stays the same."""
    shown = {k: v for k, v in counts.items() if v > 0}
    other = 0
    for key in [k for k, v in shown.items() if v < min_group]:
        other += shown.pop(key)
    while 0 < other < min_group and shown:
        smallest = min(shown, key=lambda k: (shown[k], k))
        other += shown.pop(smallest)
    if other:
        if not shown and other < min_group:
            # Everyone is in one small group: say only that there were fewer than the threshold.
            return {OTHER: 0}
        shown[OTHER] = other
    return dict(sorted(shown.items(), key=lambda kv: (kv[0] == OTHER, -kv[1], kv[0])))


@dataclass(frozen=True)
class EventStatistics:
    """Counts of one event's registrations; no row names anyone (see the module's docstring)."""

    total: int
    by_status: dict[str, int]
    attended: int
    by_day: dict[datetime.date, int]
    by_relationship: dict[str, int]
    by_municipality: dict[str, int]


def event_statistics(*, event) -> EventStatistics:
    """Counted from the registrations' statistics dimensions (``stat_*``, status), which the
    shredder leaves: the same before and after the event's data is removed. Cancelled
    registrations count in the status only."""
    from .models import Registration

    rows = Registration.objects.filter(event=event)
    by_status = dict(rows.values_list("status").annotate(n=Count("pk")).order_by())
    active = rows.exclude(status=Registration.Status.CANCELLED)
    by_day = dict(
        active.values_list("stat_registered_on")
        .annotate(n=Count("pk"))
        .order_by("stat_registered_on")
    )
    relationships = dict(active.values_list("stat_relationship").annotate(n=Count("pk")).order_by())
    municipalities = dict(
        active.values_list("stat_municipality__name_fi").annotate(n=Count("pk")).order_by()
    )
    labels = dict(Registration.Relationship.choices)
    return EventStatistics(
        total=sum(by_status.values()),
        by_status={
            str(label): by_status.get(value, 0) for value, label in Registration.Status.choices
        },
        attended=by_status.get(Registration.Status.ATTENDED, 0),
        by_day={day: n for day, n in by_day.items() if day is not None},
        by_relationship=grouped({str(labels.get(k, k)): n for k, n in relationships.items()}),
        by_municipality=grouped({(k or "—"): n for k, n in municipalities.items()}),
    )
