"""The benchmark's figures: each is a function that measures one thing and returns a Figure.

Add a figure by decorating a function with ``@figure`` in a module listed in ``MODULES``. Figures
run in the order they are registered, against one database seeded by the first ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext

MODULES = ["bench.foundation"]


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


_registry: list[Callable[[], list[Figure]]] = []


def figure(fn: Callable[[], list[Figure]]) -> Callable[[], list[Figure]]:
    _registry.append(fn)
    return fn


def registered() -> list[Callable[[], list[Figure]]]:
    return list(_registry)


@contextmanager
def stopwatch():
    """``with stopwatch() as t: ...`` then ``t()`` is the elapsed seconds."""
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())


@contextmanager
def query_counter():
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
