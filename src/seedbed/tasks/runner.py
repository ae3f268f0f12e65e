"""Running one task on one package: its environment first, then each of its command lines in
the package's folder, output captured and kept together."""

from __future__ import annotations

import shlex
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from seedbed.effects import uv
from seedbed.effects.process import run_captured
from seedbed.model.workspace import Package
from seedbed.tasks.definitions import Task
from seedbed.tasks.envs import EnvironmentFailedError, Environments, child_environment
from seedbed.tasks.state import STATE_DIR


@dataclass(frozen=True)
class Outcome:
    """How a task ended: passed or not, everything it printed, how long it took, and the files
    it wrote (relative to the workspace root, for tasks that write some)."""

    passed: bool
    output: str
    duration_s: float
    outputs: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        """The last line each command printed (pytest's "2 passed in 0.03s", mypy's "Success:
        ..."), joined: what a cached result shows instead of running again."""
        return summarize(self.output)


def summarize(output: str, width: int = 160) -> str:
    """The last non-empty line of each `$ command` block of *output* (of the whole output when
    it has no such blocks), joined with "; "."""
    blocks = ("\n" + output).split("\n$ ")
    bodies = [b.partition("\n")[2] for b in blocks[1:]] if len(blocks) > 1 else [output]
    lasts = []
    for body in bodies:
        lines = [line.strip(" =") for line in body.splitlines() if line.strip(" =")]
        if lines:
            lasts.append(lines[-1][:width])
    return "; ".join(lasts)


def placeholders(root: Path, package: Package) -> dict[str, str]:
    """What `{name}` in a built-in's command line stands for, for *package*."""
    folder = root / package.path
    return {
        "root": str(root),
        "state": str(root / STATE_DIR),
        "package": str(folder),
        "name": package.short,
        "stage": package.stage,
        "distribution": package.distribution,
        "src": "src" if (folder / "src").is_dir() else ".",
        "tests": "tests" if (folder / "tests").is_dir() else ".",
        "outputs": str(root / "dist" / package.short),
    }


def variables(root: Path, package: Package, task: Task) -> dict[str, str]:
    """Environment variables a task gets besides the environment's own: which package it runs
    on (PROTO_PACKAGE, PROTO_DISTRIBUTION, PROTO_STAGE, PROTO_WORKSPACE) and the task's."""
    values = placeholders(root, package)
    found = {
        "PROTO_PACKAGE": package.short,
        "PROTO_DISTRIBUTION": package.distribution,
        "PROTO_STAGE": package.stage,
        "PROTO_WORKSPACE": str(root),
    }
    for name, value in task.variables:
        found[name] = value.format_map(values) if task.builtin else value
    return found


def run_task(task: Task, package: Package, environments: Environments) -> Outcome:
    """Run *task* on *package*; never raises for a failing task (it is an Outcome)."""
    start = time.perf_counter()
    root = environments.root
    try:
        environment = (
            None if task.environment == "none"
            else environments.ensure(package if task.environment == "package" else None)
        )  # fmt: skip
    except EnvironmentFailedError as error:
        what = "the dev tools" if task.environment == "tools" else package.short
        message = f"proto could not make the environment of {what}:\n{error}"
        return Outcome(False, message, time.perf_counter() - start)
    values = placeholders(root, package)
    outputs = Path(task.outputs.format_map(values)) if task.outputs else None
    if outputs is not None:
        shutil.rmtree(outputs, ignore_errors=True)
    env = child_environment(environment, variables(root, package, task))
    folder = root / package.path
    passed, log = True, []
    for template in task.argvs(package.stage):
        argv = [arg.format_map(values) for arg in template] if task.builtin else list(template)
        if task.builtin and argv[0] == "uv":
            done = uv.run_uv_captured(argv[1:], folder, env)
        else:
            done = run_captured(argv, folder, env)
        log.append(f"$ {shlex.join(argv)}\n{done.output}")
        if done.code not in task.ok:
            passed = False
            log.append(f"(exit code {done.code})\n")
    written = _files(root, outputs) if passed and outputs is not None else ()
    return Outcome(passed, "".join(log), time.perf_counter() - start, written)


def _files(root: Path, folder: Path) -> tuple[str, ...]:
    if not folder.is_dir():
        return ()
    return tuple(sorted(
        path.relative_to(root).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and path.name != ".gitignore"
    ))  # fmt: skip
