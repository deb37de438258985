"""A test that stalls fails, saying what every thread and every task was waiting for (in the run's
log, past pytest's capture), and the run goes on.

A stall is rare here (a handful in some thirty clean-clone runs, always in an async fixture's
teardown or a browser test) and, unwatched, it held CI until its time ran out with nothing said.
pytest-timeout would stop it, but it shows the main thread's frame, which for a stalled event loop
is its ``select``; only the tasks' own chains of awaits say where the wait is.

A stalled test is run once more (``--only-rerun`` in pyproject.toml, and nothing else is): its stacks
stay in the run's log and its ``R`` in the summary, and a stall that does not come back does not
turn the run red. If
failing the test stalls as well (the loop still stuck in teardown), the run ends after a
further ``GRACE`` seconds with the same report: a red run that says why beats a silent timeout.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import sys
import traceback
import types
from collections.abc import Iterator
from types import FrameType
from typing import Any

import pytest

# seconds: the slowest test (tests/board/test_board_inputs.py, 4,000 requests) takes 144, 300 on a slow day
LIMIT = float(os.environ.get("ICF_TEST_STALL", "600"))
GRACE = 60.0


class Stalled(Exception):
    """A test (its setup, call or teardown) ran past ``LIMIT``."""


def _first(thing: Any, names: tuple[str, ...]) -> Any:
    return next((getattr(thing, name) for name in names if hasattr(thing, name)), None)


def _awaited(coroutine: Any) -> Iterator[FrameType]:
    """The frames of a suspended coroutine and of everything it awaits, outermost first."""
    while coroutine is not None:
        frame = _first(coroutine, ("cr_frame", "gi_frame", "ag_frame"))
        if frame is not None:
            yield frame
        coroutine = _first(coroutine, ("cr_await", "gi_yieldfrom", "ag_await"))


def _report(where: str) -> str:
    lines = [f"\n==== stalled: {where} ====\n"]
    for ident, frame in sys._current_frames().items():
        lines.append(f"-- thread {ident}\n")
        lines.extend(traceback.format_stack(frame))
    loop = asyncio._get_running_loop()
    if loop is not None:
        for task in asyncio.all_tasks(loop):
            lines.append(f"-- task {task.get_name()}\n")
            frames = [(frame, frame.f_lineno) for frame in _awaited(task.get_coro())]
            lines.extend(traceback.StackSummary.extract(frames).format())
    # A task awaiting an async generator (a fixture's teardown, a lifespan) shows no more than its
    # __anext__: the generators waiting on something say the rest.
    for found in gc.get_objects():
        if isinstance(found, types.AsyncGeneratorType) and found.ag_await is not None:
            lines.append(f"-- async generator {found.__qualname__}\n")
            frames = [(frame, frame.f_lineno) for frame in _awaited(found)]
            lines.extend(traceback.StackSummary.extract(frames).format())
    return "".join(lines)


def _to_terminal(item: pytest.Item, report: str) -> None:
    """Past the capture, so the report is in the run's log even when the second run passes."""
    capture = item.config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        capture.suspend_global_capture(in_=True)
    try:
        sys.stderr.write(report)
        sys.stderr.flush()
    finally:
        if capture is not None:
            capture.resume_global_capture()


def _watch(item: pytest.Item) -> None:
    def end_the_run(signum: int, frame: FrameType | None) -> None:
        _to_terminal(item, _report(f"{item.nodeid}, still after failing it"))
        os._exit(1)

    def fail_the_test(signum: int, frame: FrameType | None) -> None:
        _to_terminal(item, _report(item.nodeid))
        signal.signal(signal.SIGALRM, end_the_run)
        signal.setitimer(signal.ITIMER_REAL, GRACE)
        raise Stalled(f"{item.nodeid} ran for more than {LIMIT:.0f} s: the stacks are in the run's log")

    signal.signal(signal.SIGALRM, fail_the_test)
    signal.setitimer(signal.ITIMER_REAL, LIMIT)


# From the start of each run of a test's setup to the end of its teardown (each run of it, where
# a stalled test is run again).
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    _watch(item)
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
