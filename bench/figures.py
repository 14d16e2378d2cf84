"""The benchmark's figures.

The data set grows in stages (``STAGES``: 1,000, 100,000 and 1,000,000 demo contacts, the size
of Finland's largest registers). A function decorated ``@at_each_size`` runs once per stage and
receives the size; one decorated ``@figure`` runs once, after the last stage. Each returns a
list of Figures. Add figures in a module listed in ``MODULES``.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

MODULES = [
    "bench.foundation",
    "bench.crm",
    "bench.consent",
    "bench.events",
    "bench.shredder",
    "bench.privacy_jobs",
    "bench.reports",
]
STAGES = [1_000, 100_000, 1_000_000]
# Measure a part (BENCH_MODULES=bench.foundation,bench.consent BENCH_STAGES=300000), e.g. while
# working on it; `make bench` without them measures everything.
if os.environ.get("BENCH_MODULES"):
    MODULES = os.environ["BENCH_MODULES"].split(",")
if os.environ.get("BENCH_STAGES"):
    STAGES = [int(n) for n in os.environ["BENCH_STAGES"].split(",")]


@dataclass(frozen=True)
class Goal:
    op: str  # ">=" or "<=" or "=="
    target: float

    def __str__(self):
        return f"{self.op} {self.target:g}"

    def met_by(self, value: float) -> bool:
        return {
            ">=": value >= self.target,
            "<=": value <= self.target,
            "==": value == self.target,
        }[self.op]


def at_least(target: float) -> Goal:
    return Goal(">=", target)


def at_most(target: float) -> Goal:
    return Goal("<=", target)


def exactly(target: float) -> Goal:
    return Goal("==", target)


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    goal: str | None
    meets: bool | None

    def as_json(self) -> dict:
        return asdict(self)


def measured(name: str, value: float, unit: str, goal: Goal | None = None) -> Figure:
    return Figure(
        name=name,
        value=round(value, 2),
        unit=unit,
        goal=str(goal) if goal else None,
        meets=goal.met_by(value) if goal else None,
    )


_staged: list[Callable[[int], list[Figure]]] = []
_final: list[Callable[[], list[Figure]]] = []


def at_each_size(fn: Callable[[int], list[Figure]]) -> Callable[[int], list[Figure]]:
    _staged.append(fn)
    return fn


def figure(fn: Callable[[], list[Figure]]) -> Callable[[], list[Figure]]:
    _final.append(fn)
    return fn


def staged() -> list[Callable[[int], list[Figure]]]:
    return list(_staged)


def final() -> list[Callable[[], list[Figure]]]:
    return list(_final)


@contextmanager
def stopwatch():
    """``with stopwatch() as t: ...`` then ``t()`` is the elapsed seconds."""
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())


def timed(fn: Callable[[], object], *, repeat: int = 20, warmup: int = 2) -> tuple[float, int]:
    """(median milliseconds, queries of one run) of calling ``fn``."""
    for _ in range(warmup):
        fn()
    # A request empties the query log when it starts; start from an empty log so that the
    # captured slice is the request's queries.
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        fn()
    # Read now: the next request resets the log that captured_queries slices lazily.
    queries = len(ctx.captured_queries)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), queries
