"""The benchmark harness itself (the benchmark is not run by the tests)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.__main__ import bench_database_url
from bench.figures import at_least, at_most, measured

ROOT = Path(__file__).resolve().parents[2]


def test_it_refuses_sqlite_with_a_clear_message():
    env = {**os.environ, "DATABASE_URL": "sqlite:///db.sqlite3"}
    result = subprocess.run(
        [sys.executable, "-m", "bench"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "PostgreSQL" in result.stderr


def test_it_measures_in_a_database_of_its_own():
    admin, bench, name = bench_database_url("postgres://u:p@db.example:5432/rekisteri")

    assert name == "rekisteri_bench"
    assert bench == "postgres://u:p@db.example:5432/rekisteri_bench"
    assert admin == "postgres://u:p@db.example:5432/postgres"


def test_a_figure_says_whether_it_meets_its_goal():
    fast = measured("seed", 2_500.123, "rows/s", at_least(2_000))
    slow = measured("page", 140, "ms", at_most(100))
    plain = measured("wall time", 12.3, "s")

    assert fast.as_json() == {
        "name": "seed",
        "value": 2500.12,
        "unit": "rows/s",
        "goal": ">= 2000",
        "meets": True,
    }
    assert slow.meets is False
    assert plain.as_json()["goal"] is None and plain.meets is None
    json.dumps([fast.as_json(), slow.as_json(), plain.as_json()])
