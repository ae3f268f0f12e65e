"""`proto run TASK...`: run tasks on packages, side by side, each in its own environment, and
skip what the cache says already passed on the same content.

plan_run resolves the tasks and the packages (refusing unknown ones), and checks what every run
needs (git, uv.lock, the tools in the root's dev group). apply computes each task's key, serves
hits from the cache, makes sure uv.lock is current before making any environment, runs the
rest (build in dependency order) and records each pass.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from seedbed.effects import git, uv
from seedbed.errors import InvalidInputError, ProtoError
from seedbed.model.graph import CycleError, Graph
from seedbed.model.lockfile import Lock
from seedbed.model.names import normalize
from seedbed.model.workspace import LOCK, Package, Workspace
from seedbed.operations import select
from seedbed.tasks import definitions, files, parsed
from seedbed.tasks.cache import Cache, Record
from seedbed.tasks.definitions import Task
from seedbed.tasks.keys import DEV_GROUP, Keys

if TYPE_CHECKING:
    from seedbed.tasks.envs import Environments

Status = Literal["passed", "failed", "not run"]


@dataclass(frozen=True)
class RunOptions:
    """How to run: how many at once, whether to use the cache, stop at the first failure, and
    let seeds fail forward."""

    jobs: int = os.cpu_count() or 1
    no_cache: bool = False
    fail_fast: bool = False
    seeds_fix_forward: bool = False


@dataclass(frozen=True)
class RunPlan:
    """The tasks and packages (providers first) to run, and what the run needs."""

    workspace: Workspace
    tasks: tuple[Task, ...]
    packages: tuple[Package, ...]
    lock: Lock
    graph: Graph | None  # None when no task needs it (lint alone: no closure, no order)
    options: RunOptions
    files: files.Pending | None = None  # reading the workspace's files, started early
    warning: tuple[str, str] | None = None  # (message, hint) from --affected

    def blocking(self, package: Package) -> bool:
        """Whether a failure on *package* fails the run (core always; seeds unless they fix
        forward)."""
        return package.stage == "core" or not self.options.seeds_fix_forward


@dataclass(frozen=True)
class TaskResult:
    """One task on one package: how it ended, whether from the cache, how long this run spent
    on it, what it printed (a cached result: the stored summary), and whether a failure
    fails the run."""

    package: Package
    task: Task
    status: Status
    cached: bool = False
    duration_s: float = 0.0
    output: str = ""
    blocking: bool = True


@dataclass(frozen=True)
class RunResult:
    """Every task's result, sorted by package, then in the order the tasks were asked for."""

    results: tuple[TaskResult, ...]

    def with_status(self, status: Status) -> list[TaskResult]:
        """The results with *status*."""
        return [r for r in self.results if r.status == status]

    @property
    def blocking_failures(self) -> list[TaskResult]:
        """The failures that fail the run."""
        return [r for r in self.with_status("failed") if r.blocking]


class Reporter(Protocol):
    """Whoever shows the run as it goes (called from one thread, one call at a time)."""

    def starting(self, total: int) -> None:
        """*total* tasks are about to be reported."""

    def started(self, package: Package, task: Task) -> None:
        """A task started running."""

    def finished(self, result: TaskResult) -> None:
        """A task passed or failed (or came from the cache)."""


def load(start: Path | None = None) -> tuple[Workspace, parsed.Parsed]:
    """The workspace (its manifests from the parse cache where unchanged) and the parse cache,
    which plan_run reads uv.lock through."""
    return parsed.load(start)


def plan_run(
    workspace: Workspace,
    task_names: list[str],
    names: list[str],
    *,
    use_affected: bool = False,
    since: str | None = None,
    options: RunOptions | None = None,
    cache: parsed.Parsed | None = None,
) -> RunPlan:
    """Resolve tasks and packages and check what the run needs; refuse before running (and
    then stop reading the workspace's files, if *cache* started that)."""
    cache = cache or parsed.Parsed(workspace.root)
    try:
        return _plan(workspace, task_names, names, use_affected, since, options, cache)
    except BaseException:
        if cache.files is not None:
            cache.files.close()
        raise


def _plan(
    workspace: Workspace,
    task_names: list[str],
    names: list[str],
    use_affected: bool,
    since: str | None,
    options: RunOptions | None,
    cache: parsed.Parsed,
) -> RunPlan:
    options = options or RunOptions()
    if options.jobs < 1:
        raise InvalidInputError(f"--jobs must be 1 or more, not {options.jobs}")
    tasks = definitions.resolve(definitions.catalog(workspace.proto_config), task_names)
    chosen = select.chosen(
        workspace, names, ref=since, use_affected=use_affected,
        every_hint="leave out --affected to run on every package",
    )  # fmt: skip
    git.require_repository(workspace.root, "proto run cannot key its cache on git's content ids")
    lock = cache.read_lock()
    for task in tasks:
        if task.tool and normalize(task.tool) not in lock.groups.get(DEV_GROUP, ()):
            raise ProtoError(
                f"the {task.name} task runs {task.tool}, which the root's dev group does not lock",
                f"add {task.tool} to [dependency-groups] {DEV_GROUP} in the root pyproject.toml "
                "and run `uv lock`",
            )
    selected = workspace.packages if chosen.packages is None else tuple(chosen.packages)
    if not any(task.closure or task.outputs for task in tasks):  # lint: no graph needed
        packages = tuple(sorted(selected, key=lambda p: p.short))
        return RunPlan(workspace, tuple(tasks), packages, lock, None, options, cache.files,
                       chosen.warning)  # fmt: skip
    graph = Graph.of(workspace)
    try:
        order = graph.order(p.short for p in selected)
    except CycleError:
        if any(task.outputs for task in tasks):  # build follows dependency order
            raise
        order = sorted(p.short for p in selected)
    packages = tuple(graph.packages[name] for name in order)
    return RunPlan(workspace, tuple(tasks), packages, lock, graph, options, cache.files,
                   chosen.warning)  # fmt: skip


@dataclass(frozen=True)
class Job:
    """One task to run on one package, and its cache key."""

    package: Package
    task: Task
    key: str


def apply(plan: RunPlan, reporter: Reporter) -> RunResult:
    """Run the plan: hits from the cache, the rest side by side; record each pass."""
    workspace, options = plan.workspace, plan.options
    snapshot = plan.files.result() if plan.files else files.snapshot(workspace.root)
    keys = Keys(workspace, plan.lock, snapshot, plan.graph)
    cache = Cache.for_workspace(workspace.root)
    jobs: list[Job] = []
    hits: list[tuple[Job, Record]] = []
    for package in plan.packages:
        for task in plan.tasks:
            job = Job(package, task, keys.key(package, task))
            record = None if options.no_cache else cache.hit(job.key, workspace.root)
            if record is None:
                jobs.append(job)
            else:
                hits.append((job, record))
    environments = None
    if jobs:  # environments, the runner and the scheduler: only when something runs
        from seedbed.tasks.envs import Environments

        environments = Environments(keys)
        _require_current_lock(plan, environments, jobs)
    reporter.starting(len(hits) + len(jobs))
    done: dict[tuple[str, str], TaskResult] = {}
    for job, record in hits:
        result = TaskResult(job.package, job.task, "passed", cached=True, output=record.summary,
                            blocking=plan.blocking(job.package))  # fmt: skip
        done[job.package.short, job.task.name] = result
        reporter.finished(result)
        cache.seen(record, snapshot.head if keys.clean(job.package, job.task) else None)
    if environments is not None:
        done |= _run(plan, jobs, keys, cache, environments, reporter)
        cache.trim()
    return RunResult(tuple(
        done.get((package.short, task.name))
        or TaskResult(package, task, "not run", blocking=plan.blocking(package))
        for package in sorted(plan.packages, key=lambda p: p.short)
        for task in plan.tasks
    ))  # fmt: skip


def _run(
    plan: RunPlan,
    jobs: list[Job],
    keys: Keys,
    cache: Cache,
    environments: Environments,
    reporter: Reporter,
) -> dict[tuple[str, str], TaskResult]:
    """Run *jobs* side by side (build in dependency order); record each pass in *cache*."""
    from seedbed.tasks import runner
    from seedbed.tasks.scheduler import run_all

    done: dict[tuple[str, str], TaskResult] = {}
    head, options = keys.snapshot.head, plan.options

    def finished(job: Job, outcome: runner.Outcome) -> None:
        status: Status = "passed" if outcome.passed else "failed"
        result = TaskResult(job.package, job.task, status, duration_s=outcome.duration_s,
                            output=outcome.output, blocking=plan.blocking(job.package))  # fmt: skip
        done[job.package.short, job.task.name] = result
        if outcome.passed:
            clean = keys.clean(job.package, job.task)
            cache.passed(job.key, job.package, job.task.name, outcome, head if clean else None)
        reporter.finished(result)

    run_all(
        jobs,
        lambda job: runner.run_task(job.task, job.package, environments),
        workers=options.jobs,
        after=_build_order(plan, jobs),
        stop=lambda job, outcome: (
            options.fail_fast and not outcome.passed and plan.blocking(job.package)
        ),
        started=lambda job: reporter.started(job.package, job.task),
        finished=finished,
    )
    return done


def _require_current_lock(plan: RunPlan, environments: Environments, jobs: list[Job]) -> None:
    """Before any environment is made from uv.lock, make sure it matches the manifests."""
    needed: dict[str, Package | None] = {}
    for job in jobs:
        if job.task.environment == "package":
            needed[job.package.short] = job.package
        elif job.task.environment == "tools":
            needed["(tools)"] = None
    if all(environments.current(package) for package in needed.values()):
        return
    problem = uv.lock_check_problem(uv.start_lock_check(plan.workspace.root))
    if problem is not None:
        raise ProtoError(
            f"{LOCK} does not match the manifests, so no environment can be made from it: "
            f"{problem}",
            "run `uv lock`, then run again",
        )


def _build_order(plan: RunPlan, jobs: list[Job]) -> dict[int, list[int]]:
    """Build jobs wait for the build jobs of the packages they depend on."""
    builds = {job.package.short: index for index, job in enumerate(jobs) if job.task.outputs}
    if plan.graph is None or not builds:
        return {}
    graph = plan.graph
    return {
        index: [builds[name] for name in graph.closure([job.package.short]) if name in builds]
        for index, job in enumerate(jobs)
        if job.task.outputs
    }


def report(result: RunResult) -> list[dict[str, Any]]:
    """The `--json` form: one object per task that ran or came from the cache."""
    return [
        {
            "package": r.package.short,
            "distribution": r.package.distribution,
            "stage": r.package.stage,
            "task": r.task.name,
            "status": r.status,
            "cached": r.cached,
            "duration_s": round(r.duration_s, 3),
        }
        for r in result.results
        if r.status != "not run"
    ]
