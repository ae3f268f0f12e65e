"""What a task is: the built-in ones (lint, typecheck, test, build) and the team's own from
`[tool.proto.tasks]` in the root pyproject.toml, each a command line run per package.

A team entry maps a name to a command line (`stamp = "python -m tools.stamp"`, split like a
shell would split it but never run through one) or to a list of arguments; an entry with a
built-in's name replaces that built-in. Team tasks run in the package's folder and its
environment, and their results depend on the package's whole dependency closure.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from typing import Any, Literal

from seedbed.errors import InvalidInputError, ProtoError
from seedbed.model.workspace import MANIFEST, Stage

Environment = Literal["tools", "package", "none"]
TASK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*")
PYTEST_NO_TESTS = 5


@dataclass(frozen=True)
class Task:
    """A task: its command lines (`{placeholders}` filled in per package for built-ins), the
    environment it runs in, the root dev tool it needs, and what its result depends on."""

    name: str
    commands: tuple[tuple[str, ...], ...]
    environment: Environment = "package"
    closure: bool = True  # the result depends on the dependency closure, not only the package
    tool: str | None = None  # a tool the root's dev group must lock (ruff, mypy, pytest)
    core_args: tuple[str, ...] = ()  # inserted before the last argument for core packages
    variables: tuple[tuple[str, str], ...] = ()  # environment variables (placeholders filled)
    ok: tuple[int, ...] = (0,)  # exit codes that count as passing
    builtin: bool = False  # placeholders are filled in only for built-ins
    outputs: str | None = None  # a folder (placeholders filled) the task writes its results to

    def argvs(self, stage: Stage) -> list[tuple[str, ...]]:
        """The command lines for a package in *stage*, placeholders still in."""
        if stage != "core" or not self.core_args:
            return list(self.commands)
        return [(*argv[:-1], *self.core_args, argv[-1]) for argv in self.commands]

    def signature(self, stage: Stage) -> str:
        """Everything about how the task runs for a package in *stage*, as one stable text
        (machine-independent: placeholders, not paths). Part of every cache key."""
        return json.dumps(
            {"name": self.name, "builtin": self.builtin, "argvs": self.argvs(stage),
             "env": self.environment, "variables": self.variables, "ok": self.ok},
            sort_keys=True,
        )  # fmt: skip


MYPY = ("mypy", "--config-file", "{root}/" + MANIFEST, "--cache-dir", "{state}/mypy/{stage}",
        "--explicit-package-bases", "{src}")  # fmt: skip
UV_BUILD = ("uv", "build", "--package", "{distribution}", "--out-dir", "{outputs}", "--no-progress")
BUILTINS: dict[str, Task] = {
    "lint": Task(
        "lint",
        (("ruff", "check", "."), ("ruff", "format", "--check", ".")),
        environment="tools",
        closure=False,
        tool="ruff",
        builtin=True,
    ),
    # mypy with the root's settings, run on the package's src/; one incremental cache per stage
    # (mypy writes it safely from several processes), so the standard library is read once.
    "typecheck": Task(
        "typecheck",
        (MYPY,),
        tool="mypy",
        core_args=("--strict",),
        variables=(("MYPYPATH", "{package}/src"),),
        builtin=True,
    ),
    "test": Task(
        "test",
        (("python", "-m", "pytest", "-p", "no:cacheprovider", "{tests}"),),
        tool="pytest",
        ok=(0, PYTEST_NO_TESTS),
        builtin=True,
    ),
    "build": Task(
        "build",
        (UV_BUILD,),
        environment="none",
        builtin=True,
        outputs="{root}/dist/{name}",
    ),
}


def catalog(proto_config: dict[str, Any]) -> dict[str, Task]:
    """Every task a workspace offers: the built-ins, replaced or joined by the team's
    `[tool.proto.tasks]` (an invalid entry is an error that names it)."""
    tasks = dict(BUILTINS)
    table = proto_config.get("tasks", {})
    if not isinstance(table, dict):
        raise ProtoError(
            f"[tool.proto.tasks] in the root {MANIFEST} must be a table",
            'write one task per line, e.g. stamp = "python -m tools.stamp"',
        )
    for name, value in table.items():
        tasks[name] = team_task(name, value)
    return dict(sorted(tasks.items()))


def team_task(name: str, value: object) -> Task:
    """A `[tool.proto.tasks]` entry: a command line (split like a shell would) or a list of
    arguments, run in the package folder and environment."""
    where = f"[tool.proto.tasks] {name} in the root {MANIFEST}"
    if not TASK_NAME.fullmatch(name):
        raise ProtoError(
            f"{where}: invalid task name", "use letters, digits, '-', '_', '.' and ':'"
        )
    if isinstance(value, str):
        try:
            argv = shlex.split(value)
        except ValueError as error:
            raise ProtoError(f"{where}: cannot split the command line: {error}") from error
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        argv = list(value)
    else:
        raise ProtoError(
            f"{where} must be a command line or a list of arguments",
            f'for example: {name} = "python -m tools.{name}"',
        )
    if not argv or not argv[0]:
        raise ProtoError(f"{where} is empty", f'for example: {name} = "python -m tools.{name}"')
    return Task(name, (tuple(argv),))


def resolve(tasks: dict[str, Task], names: list[str]) -> list[Task]:
    """The tasks *names* name, in the order given, each once; unknown names refused (exit 2),
    naming the tasks there are."""
    unknown = [name for name in names if name not in tasks]
    if unknown:
        listed = ", ".join(f"'{name}'" for name in dict.fromkeys(unknown))
        raise InvalidInputError(
            f"no task named {listed} in this workspace", f"tasks: {', '.join(tasks)}"
        )
    return [tasks[name] for name in dict.fromkeys(names)]
