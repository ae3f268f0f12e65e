"""`proto run` in-process on hand-made workspaces: refusals, selection, the cache, the stances,
exit codes and the JSON shape. Tasks are not really run here (a stand-in decides how each ends,
and environments count as made); tests/e2e/test_run.py runs them for real."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from seedbed.model.workspace import Package
from seedbed.tasks import envs, runner
from seedbed.tasks.definitions import Task
from tests.conftest import InProcess
from tests.helpers import (
    assert_clean_failure,
    commit_all,
    lock_text,
    make_workspace,
    run_results,
    snapshot,
)  # fmt: skip

Cli = Callable[..., InProcess]
#   web -> url-parser -> text-tools (core)     notes (alone)
CHAIN = {"text-tools": [], "url-parser": ["text-tools"], "web": ["url-parser"], "notes": []}


@dataclass
class Stand:
    """Stands in for running tasks: records what ran, fails what it is told to."""

    failing: dict[tuple[str, str], str] = field(default_factory=dict)
    ran: list[tuple[str, str]] = field(default_factory=list)

    def run_task(self, task: Task, package: Package, environments: object) -> runner.Outcome:
        self.ran.append((package.short, task.name))
        problem = self.failing.get((package.short, task.name))
        if problem is not None:
            return runner.Outcome(False, f"$ {task.name}\n{problem}\n", 0.25)
        return runner.Outcome(True, f"$ {task.name}\n{task.name} fine\n", 0.5)

    def take(self) -> list[tuple[str, str]]:
        ran, self.ran = self.ran, []
        return ran


@pytest.fixture
def stand(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Stand:
    stand = Stand()
    monkeypatch.setattr(runner, "run_task", stand.run_task)
    monkeypatch.setattr(envs.Environments, "current", lambda self, package: True)
    monkeypatch.delenv("PROTO_CACHE_DIR", raising=False)
    return stand


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "acme", CHAIN, core=("text-tools",), lock=True)


def ran(cli: Cli, root: Path, *args: str, code: int = 0) -> list[dict[str, object]]:
    return run_results(cli, root, *args, code=code)


def test_refusals(tmp_path: Path, cli: Cli, chain: Path, stand: Stand) -> None:
    before = snapshot(chain)
    assert_clean_failure(cli("run", cwd=chain), 2, "missing argument 'TASK'")
    assert_clean_failure(
        cli("run", "tests", cwd=chain), 2, "no task named 'tests'",
        "hint: tasks: build, lint, test, typecheck",
    )  # fmt: skip
    assert_clean_failure(
        cli("run", "test", "-p", "nope", cwd=chain), 2, "no package named 'nope'",
        "packages: notes, text-tools, url-parser, web",
    )  # fmt: skip
    assert_clean_failure(cli("run", "test", "--since", "HEAD", cwd=chain), 2, "--since goes with")
    assert_clean_failure(cli("run", "test", "-p", "web", "--affected", cwd=chain), 2, "not both")
    assert_clean_failure(cli("run", "test", "-j", "0", cwd=chain), 2, "--jobs", "x>=1")
    assert_clean_failure(
        cli("run", "test", "--affected", "--since", "nope", cwd=chain), 2,
        "'nope' is not a commit", "or leave out --affected to run on every package",
    )  # fmt: skip
    assert stand.ran == []
    assert snapshot(chain) == before


def test_what_a_run_needs(tmp_path: Path, cli: Cli, stand: Stand) -> None:
    root = make_workspace(tmp_path / "acme", {"notes": []}, commit=False)
    assert_clean_failure(cli("run", "lint", cwd=root), 1, "not a git repository")
    commit_all_new(root)
    assert_clean_failure(cli("run", "lint", cwd=root), 1, "uv.lock is missing", "uv lock")
    (root / "uv.lock").write_text("[broken\n")
    assert_clean_failure(cli("run", "lint", cwd=root), 1, "cannot read uv.lock")
    (root / "uv.lock").write_text(lock_text({"notes": []}, tools={"pytest": "8.3.0"}))
    assert_clean_failure(
        cli("run", "lint", cwd=root), 1, "the lint task runs ruff, which the root's dev group",
        "add ruff to [dependency-groups] dev",
    )  # fmt: skip
    assert ran(cli, root, "test") == [
        {"package": "notes", "distribution": "acme-notes", "stage": "seed", "task": "test",
         "status": "passed", "cached": False, "duration_s": 0.5},
    ]  # fmt: skip
    manifest = root / "pyproject.toml"
    manifest.write_text(manifest.read_text() + '\n[tool.proto.tasks]\nstamp = "x \'y"\n')
    refused = cli("run", "test", cwd=root)
    assert_clean_failure(refused, 1, "[tool.proto.tasks] stamp", "cannot split")


def commit_all_new(root: Path) -> None:
    from tests.helpers import run

    run("git", "init", "-q", cwd=root)
    commit_all(root, "Start")


def test_json_shape_order_and_the_cache(cli: Cli, chain: Path, stand: Stand) -> None:
    first = ran(cli, chain, "lint", "test")
    assert [(r["package"], r["task"]) for r in first] == [
        (p, t) for p in ("notes", "text-tools", "url-parser", "web") for t in ("lint", "test")
    ]
    assert all(list(r) == ["package", "distribution", "stage", "task", "status", "cached",
                           "duration_s"] for r in first)  # fmt: skip
    assert {r["stage"] for r in first if r["package"] == "text-tools"} == {"core"}
    assert all(r["status"] == "passed" and r["cached"] is False for r in first)
    assert len(stand.take()) == 8
    again = ran(cli, chain, "lint", "test")
    assert all(r["cached"] is True and r["duration_s"] == 0 for r in again)
    assert stand.take() == []
    ran(cli, chain, "lint", "test", "--no-cache")
    assert len(stand.take()) == 8


def test_a_change_reruns_the_package_and_its_dependents(
    cli: Cli, chain: Path, stand: Stand
) -> None:
    ran(cli, chain, "lint", "test", "typecheck")
    stand.take()
    module = chain / "seeds/url-parser/src/acme/url_parser/__init__.py"
    module.write_text(module.read_text() + "X = 1\n")
    ran(cli, chain, "lint", "test", "typecheck")
    assert sorted(stand.take()) == [
        ("url-parser", "lint"), ("url-parser", "test"), ("url-parser", "typecheck"),
        ("web", "test"), ("web", "typecheck"),
    ]  # fmt: skip
    commit_all(chain, "X")
    ran(cli, chain, "lint", "test", "typecheck")
    assert stand.take() == []  # committed content has the same ids


def test_selection_by_name_and_by_change(cli: Cli, chain: Path, stand: Stand) -> None:
    assert [r["package"] for r in ran(cli, chain, "test", "-p", "web", "-p", "acme-notes")] == [
        "notes", "web",
    ]  # fmt: skip
    module = chain / "core/text-tools/src/acme/text_tools/__init__.py"
    module.write_text(module.read_text() + "X = 1\n")
    selected = ran(cli, chain, "test", "--affected", "--since", "HEAD")
    assert [r["package"] for r in selected] == ["text-tools", "url-parser", "web"]
    commit_all(chain, "X")
    result = cli("run", "test", "--affected", "--since", "HEAD", cwd=chain)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "No packages selected: nothing to run.\n"
    assert ran(cli, chain, "test", "--affected", "--since", "HEAD") == []
    unpushed = cli("run", "test", "--affected", cwd=chain)  # no upstream: not silently nothing
    assert unpushed.returncode == 0, unpushed.stderr
    assert unpushed.stderr.splitlines()[:2] == [
        "warning: compared with HEAD, since there is no origin/HEAD, origin/main or "
        "origin/master: only uncommitted changes count",
        "hint: pass --since REF (a branch, tag or commit), or leave out --affected to run on "
        "every package",
    ]


def test_failures_are_reported_whole_not_cached_and_do_not_stop_the_run(
    cli: Cli, chain: Path, stand: Stand
) -> None:
    stand.failing[("url-parser", "test")] = "FAILED tests/test_url_parser.py::test_it - boom"
    result = cli("run", "lint", "test", cwd=chain)
    assert result.returncode == 1
    assert len(stand.take()) == 8  # every task ran
    err = result.stderr
    block = "-------- output of url-parser test --------\n$ test\nFAILED tests/test_url_parser.py"
    assert block in err
    assert "-------- end of url-parser test --------" in err
    assert err.splitlines()[-2] == "error: 1 task failed: url-parser test"
    assert err.splitlines()[-1].startswith("hint: each failure's output is above")
    table = result.stdout.splitlines()
    assert table[0].split() == ["package", "stage", "task", "result", "time", "cached"]
    assert "url-parser  seed   test  failed  0.25s  no" in result.stdout
    assert table[-1] == "8 tasks: 7 passed, 1 failed"
    again = cli("run", "lint", "test", cwd=chain)
    assert stand.take() == [("url-parser", "test")]  # the failure was not cached
    assert again.stdout.splitlines()[-1] == "8 tasks: 7 passed (7 cached), 1 failed"


def test_seeds_fix_forward_and_core_blocks(cli: Cli, chain: Path, stand: Stand) -> None:
    stand.failing[("web", "test")] = "seed broke"
    result = cli("run", "test", "--seeds-fix-forward", cwd=chain)
    assert result.returncode == 0, result.stderr
    assert "failed (fix-forward)" in result.stdout
    assert "warning: seeds fix forward, so these failures do not fail the run: web test" in (
        result.stderr
    )
    data = ran(cli, chain, "test", "--seeds-fix-forward")
    assert [r["status"] for r in data if r["package"] == "web"] == ["failed"]
    assert_clean_failure_tail(cli("run", "test", cwd=chain), "1 task failed: web test")

    stand.failing[("text-tools", "test")] = "core broke"
    result = cli("run", "test", "--seeds-fix-forward", "--no-cache", cwd=chain)
    assert_clean_failure_tail(result, "1 task failed: text-tools test")
    assert "web test" in result.stderr.splitlines()[-3]  # the seed's, as a warning


def assert_clean_failure_tail(result: InProcess, message: str) -> None:
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert lines[-2] == f"error: {message}"
    assert lines[-1].startswith("hint: ")
    assert "Traceback" not in result.stderr


def test_fail_fast_starts_nothing_more(cli: Cli, chain: Path, stand: Stand) -> None:
    stand.failing[("text-tools", "test")] = "core broke"
    result = cli("run", "test", "lint", "--fail-fast", "-j", "1", cwd=chain)
    # providers first (notes and text-tools have no dependencies), tasks in the order asked
    assert stand.take() == [("notes", "test"), ("notes", "lint"), ("text-tools", "test")]
    assert_clean_failure_tail(
        result, "1 task failed: text-tools test; stopped there (--fail-fast), 5 not run"
    )
    assert "web         seed   lint  not run  -      no" in result.stdout
    data = ran(cli, chain, "test", "lint", "--fail-fast", "-j", "1", code=1)
    assert [(r["package"], r["task"], r["cached"]) for r in data] == [
        ("notes", "test", True), ("notes", "lint", True), ("text-tools", "test", False),
    ]  # fmt: skip
    stand.take()
    stand.failing = {("notes", "test"): "seed broke"}  # fails forward: no reason to stop
    ran(cli, chain, "test", "--fail-fast", "--seeds-fix-forward", "-j", "1", "--no-cache")
    assert len(stand.take()) == 4


def test_build_follows_dependency_order(cli: Cli, chain: Path, stand: Stand) -> None:
    ran(cli, chain, "build", "-j", "4")
    order = [name for name, _ in stand.take()]
    assert order.index("text-tools") < order.index("url-parser") < order.index("web")


def test_team_tasks(cli: Cli, chain: Path, stand: Stand) -> None:
    manifest = chain / "pyproject.toml"
    manifest.write_text(manifest.read_text() + '\n[tool.proto.tasks]\nstamp = "python -m stamp"\n')
    data = ran(cli, chain, "stamp", "-p", "notes")
    assert [(r["task"], r["status"]) for r in data] == [("stamp", "passed")]
    assert_clean_failure(cli("run", "stmp", cwd=chain), 2, "build, lint, stamp, test, typecheck")


def test_help_explains(cli: Cli, chain: Path) -> None:
    out = cli("run", "--help", cwd=chain).stdout
    for needle in ("TASK...", "--package", "--affected", "--since", "--jobs", "--no-cache",
                   "--fail-fast", "--seeds-fix-forward", "--json", "PROTO_CACHE_DIR"):  # fmt: skip
        assert needle in out, needle
