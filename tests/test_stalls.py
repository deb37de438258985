"""The stall watch (tests/stalls.py): a stalled test fails, naming the await it stalled in; it is run
once more, and the tests after it still run. A failed assertion is never run again."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

STALLING = """
import asyncio

import pytest

RUNS = {"once": 0, "teardown": 0}


async def test_stalls_every_time():
    never = asyncio.Event()
    await never.wait()  # the line the report must name


async def test_stalls_once():
    RUNS["once"] += 1
    if RUNS["once"] == 1:
        await asyncio.Event().wait()


@pytest.fixture
async def stalls_in_teardown_once():
    yield
    RUNS["teardown"] += 1
    if RUNS["teardown"] == 1:
        await asyncio.Event().wait()


async def test_with_a_fixture_that_stalls_once(stalls_in_teardown_once):
    pass


def test_fails():
    assert 1 == 2


def test_after():
    pass
"""


def test_a_stalled_test_fails_with_its_awaits_and_the_run_goes_on(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ICF_TEST_STALL", "2")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeconftest('pytest_plugins = ["tests.stalls"]')
    pytester.makepyfile(test_stalling=STALLING)
    pytester.makeini(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
        "addopts = -ra --reruns 1 --only-rerun ^Stalled:\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=120)
    # stalls once: passes when run again; a failed assertion: not run again
    outcomes = result.parseoutcomes()
    assert (outcomes["failed"], outcomes["rerun"]) == (2, 3)
    result.stdout.fnmatch_lines(["test_stalling.py RFR..R.F. *"])  # each stall run again, once
    result.stdout.fnmatch_lines(["FAILED *test_stalls_every_time - tests.stalls.Stalled*"])
    result.stdout.fnmatch_lines(["FAILED *test_fails - assert 1 == 2"])
    # the stacks are in the run's log, not only in a failure's captured output
    where = ["*stalled: *test_stalls_once*", "*-- task *", "*test_stalling.py*in test_stalls_once*"]
    result.stderr.fnmatch_lines(where)
    every = ["*-- task *", "*test_stalling.py*in test_stalls_every_time*", "*never.wait()*"]
    result.stderr.fnmatch_lines(every)
    # a fixture's teardown: the generator's own await, past the task's __anext__
    teardown = ["*-- async generator stalls_in_teardown_once*", "*in stalls_in_teardown_once*"]
    result.stderr.fnmatch_lines(teardown)
