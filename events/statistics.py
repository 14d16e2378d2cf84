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

from collections.abc import Mapping

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
