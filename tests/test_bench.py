"""The benchmark's tables of a run served in turn (bench/run.py): the ratios are of the
same rounds, a cost reads the other way round, and a deep page keeps both numbers."""

import importlib.util
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def row(name, rates, p99=10.0, errors=0):
    rounds = [{"rps": rate, "p99_ms": p99, "errors": errors} for rate in rates]
    return {"name": name, "url": "/", "rounds": rounds, "rps": sorted(rates)[len(rates) // 2],
            "p99_ms": p99, "errors": errors * len(rates)}  # fmt: skip


def cells(table, name):
    (line,) = [line for line in table.splitlines() if line.startswith(f"| {name} ")]
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_after_over_before_is_the_median_of_each_rounds_ratio(bench):
    rows = {
        "old": [row("home", [100, 200, 110])],
        "new": [row("home", [150, 180, 220], p99=8.0, errors=1)],
    }
    table = bench.interleaved_markdown("T", rows, "old", "new", "after ÷ before")
    # Rounds 1.5, 0.9, 2.0: the median of those, not the ratio of the medians (1.64).
    assert cells(table, "home") == ["home", "110", "180", "10.0", "8.0", "1.50",
                                    "1.50, 0.90, 2.00", "3"]  # fmt: skip


def test_a_cost_is_the_small_sizes_rate_over_the_large_ones(bench):
    rows = {
        "1,000": [row("section p6", [300, 310, 290])],
        "100,000": [row("section p600", [200, 310, 145])],
    }
    table = bench.interleaved_markdown("T", rows, "1,000", "100,000", "cost", invert=True)
    name, *_, cost, each, errors = cells(table, "section p6 / p600")
    assert name == "section p6 / p600"
    assert (cost, each, errors) == ("1.50", "1.50, 1.00, 2.00", "0")


def test_against_refuses_what_is_not_a_commit(bench):
    with pytest.raises(SystemExit, match="not a commit"):
        bench.against_worktree("no-such-revision-anywhere")


def test_against_refuses_a_revision_with_other_migrations(bench):
    first = subprocess.run(
        ["git", "rev-list", "--max-parents=0", "HEAD"],  # noqa: S607
        cwd=ROOT, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    if not first:
        pytest.skip("not a git checkout")
    with pytest.raises(SystemExit, match="migrations"):
        bench.against_worktree(first[0])


def test_each_side_has_a_redis_database_of_its_own(bench):
    assert bench.redis_database("redis://127.0.0.1:6379/12", 1) == "redis://127.0.0.1:6379/13"
    assert bench.redis_database("redis://:secret@cache:6380", 1) == "redis://:secret@cache:6380/1"
