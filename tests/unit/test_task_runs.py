"""Task definitions ([tool.proto.tasks]), the scheduler (parallel, ordered, stoppable) and the
summaries kept for cached results."""

from __future__ import annotations

import threading
import time

import pytest

from seedbed.errors import InvalidInputError, ProtoError
from seedbed.tasks.definitions import BUILTINS, catalog, resolve
from seedbed.tasks.runner import summarize
from seedbed.tasks.scheduler import run_all


def test_builtins_and_team_tasks() -> None:
    tasks = catalog({"tasks": {"stamp": "python -m tools.stamp --out 'a b'", "x": ["echo", "hi"]}})
    assert list(tasks) == ["build", "lint", "stamp", "test", "typecheck", "x"]
    assert tasks["stamp"].commands == (("python", "-m", "tools.stamp", "--out", "a b"),)
    assert tasks["x"].commands == (("echo", "hi"),)
    assert tasks["stamp"].environment == "package"
    assert tasks["stamp"].closure
    assert not tasks["stamp"].builtin
    assert not BUILTINS["lint"].closure


def test_a_team_entry_replaces_a_builtin() -> None:
    tasks = catalog({"tasks": {"test": "python -m pytest -x"}})
    assert tasks["test"].commands == (("python", "-m", "pytest", "-x"),)
    assert tasks["test"].tool is None
    assert tasks["test"].signature("seed") != BUILTINS["test"].signature("seed")


def test_only_typecheck_differs_by_stage() -> None:
    assert "--strict" in BUILTINS["typecheck"].signature("core")
    assert "--strict" not in BUILTINS["typecheck"].signature("seed")
    assert BUILTINS["typecheck"].argvs("core")[0][-2:] == ("--strict", "{src}")
    for name in ("lint", "test", "build"):
        assert BUILTINS[name].signature("core") == BUILTINS[name].signature("seed")


@pytest.mark.parametrize(
    ("tasks", "needle"),
    [
        ("stamp", "must be a table"),
        ({"stamp": 3}, "a command line or a list of arguments"),
        ({"stamp": ["ok", 3]}, "a command line or a list of arguments"),
        ({"stamp": ""}, "is empty"),
        ({"stamp": []}, "is empty"),
        ({"stamp": "python -c 'unfinished"}, "cannot split"),
        ({"-x": "true"}, "invalid task name"),
    ],
)
def test_invalid_team_tasks_are_named(tasks: object, needle: str) -> None:
    with pytest.raises(ProtoError, match=needle) as raised:
        catalog({"tasks": tasks})
    assert raised.value.exit_code == 1


def test_unknown_tasks_are_refused_naming_what_exists() -> None:
    tasks = catalog({"tasks": {"stamp": "true"}})
    assert [t.name for t in resolve(tasks, ["test", "lint", "test"])] == ["test", "lint"]
    with pytest.raises(InvalidInputError) as raised:
        resolve(tasks, ["tests", "lint", "fmt"])
    assert raised.value.message == "no task named 'tests', 'fmt' in this workspace"
    assert raised.value.hint == "tasks: build, lint, stamp, test, typecheck"


def test_summaries_are_the_last_line_of_each_command() -> None:
    output = "$ ruff check .\nAll checks passed!\n$ ruff format --check .\n\n3 files formatted\n"
    assert summarize(output) == "All checks passed!; 3 files formatted"
    pytest_output = "$ python -m pytest\n....\n=========== 4 passed in 0.02s ===========\n"
    assert summarize(pytest_output) == "4 passed in 0.02s"
    assert summarize("no command lines\nlast\n") == "last"
    assert summarize("") == ""


def test_the_scheduler_runs_everything_at_most_n_at_once() -> None:
    lock = threading.Lock()
    running, peak = 0, 0
    callbacks: list[str] = []

    def work(n: int) -> int:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        return n * n

    def finished(item: int, result: int) -> None:
        callbacks.append(threading.current_thread().name)

    results = run_all(list(range(12)), work, workers=3, finished=finished)
    assert results == {n: n * n for n in range(12)}
    assert peak <= 3
    assert set(callbacks) == {threading.current_thread().name}  # never from a worker


def test_jobs_wait_for_what_they_come_after() -> None:
    ends: dict[str, float] = {}
    starts: dict[str, float] = {}

    def work(name: str) -> str:
        starts[name] = time.perf_counter()
        time.sleep(0.03 if name == "base" else 0.005)
        ends[name] = time.perf_counter()
        return name

    items = ["app", "lib", "base", "other"]
    after = {0: [1], 1: [2]}  # app after lib after base
    assert sorted(run_all(items, work, workers=4, after=after).values()) == sorted(items)
    assert starts["lib"] >= ends["base"]
    assert starts["app"] >= ends["lib"]
    assert starts["other"] < ends["base"]  # not held up


def test_stop_starts_nothing_more() -> None:
    started: list[int] = []
    results = run_all(
        list(range(6)),
        lambda n: n != 2,
        workers=1,
        stop=lambda n, ok: not ok,
        started=started.append,
    )
    assert started == [0, 1, 2]
    assert results == {0: True, 1: True, 2: False}


def test_a_cycle_in_the_order_leaves_those_jobs_unrun() -> None:
    assert run_all(["a", "b", "c"], str.upper, workers=2, after={0: [1], 1: [0]}) == {2: "C"}
