"""Cache keys: one content hash per (package, task) that changes whenever the task's result can.

A key covers the task's command lines, the package's own files, its stage's profile (the files
directly in `seeds/` or `core/`), the root pyproject.toml's tool settings (but `[tool.proto]`),
the Python version and platform, and the locked versions of the tools the task runs. A task whose
result depends on the package's dependencies (every one but lint) also covers the files of every
workspace package in its dependency closure and the locked versions of its external closure in
uv.lock. Nothing in a key is a path or a time, so two machines agree on it.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from seedbed.model import workspace as ws
from seedbed.model.graph import Graph
from seedbed.model.lockfile import Lock
from seedbed.model.names import normalize
from seedbed.model.workspace import STAGE_DIRS, Package, Stage, Workspace
from seedbed.tasks.definitions import Task
from seedbed.tasks.files import Snapshot

KEY_SCHEMA = "seedbed-task-key/1"
DEV_GROUP = "dev"
ROOT_INPUTS = (ws.MANIFEST, ws.LOCK, ws.PYTHON_PIN)  # the root files a key depends on


def digest(data: object) -> str:
    """sha256 of a canonical JSON form of *data*."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Keys:
    """Computes keys for one state of a workspace (its files, its lock); memoises what several
    keys share (closures, tool versions)."""

    workspace: Workspace
    lock: Lock
    snapshot: Snapshot
    known_graph: Graph | None = None
    _closures: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _closure_digests: dict[str, str] = field(default_factory=dict, repr=False)
    _task_parts: dict[tuple[Task, str], tuple[str, list[str]]] = field(
        default_factory=dict, repr=False
    )

    @cached_property
    def graph(self) -> Graph:
        """The workspace's package graph (built only when a key needs a closure)."""
        return self.known_graph or Graph.of(self.workspace)

    @cached_property
    def members(self) -> dict[str, str]:
        """Normalised distribution name -> short name, for every workspace package."""
        return {normalize(p.distribution): p.short for p in self.workspace.packages}

    @cached_property
    def folders(self) -> dict[str, str]:
        """Short name -> package folder (`seeds/url-parser`)."""
        return {p.short: p.path.as_posix() for p in self.workspace.packages}

    @cached_property
    def settings(self) -> str:
        """The root manifest's tool settings, but proto's own ([tool.proto])."""
        tool = self.workspace.config.get("tool", {})
        return digest({k: v for k, v in tool.items() if k != "proto"} if isinstance(tool, dict)
                      else tool)  # fmt: skip

    @cached_property
    def python(self) -> str:
        """The Python the workspace asks for (.python-version), and the platform."""
        return f"{self.workspace.python} {sys.platform}"

    @cached_property
    def dev_tools(self) -> list[str]:
        """The locked versions of everything the root's dev group needs."""
        return self.lock.identities(self.lock.closure_of(self.lock.groups.get(DEV_GROUP, ())))

    def tools(self, task: Task) -> list[str]:
        """The locked versions of the tools *task* runs: its one tool for a task run with the
        dev tools alone (lint: ruff), else the whole dev group (plugins and stubs count)."""
        if task.environment == "tools" and task.tool:
            return self.lock.identities(self.lock.closure(normalize(task.tool)))
        return self.dev_tools if task.environment == "package" else []

    def closure(self, package: Package) -> tuple[str, ...]:
        """The workspace packages *package* needs: its declared dependencies, transitively,
        and the members uv.lock ties it to (dependency groups included); sorted."""
        found = self._closures.get(package.short)
        if found is None:
            locked = self.lock.closure(normalize(package.distribution))
            shorts = {self.members[name] for name in locked if name in self.members}
            shorts |= self.graph.closure([package.short])
            found = tuple(sorted(shorts - {package.short}))
            self._closures[package.short] = found
        return found

    def closure_digest(self, package: Package) -> str:
        """One id for the files of every package in the closure and the locked versions of
        everything outside the workspace that the package needs."""
        found = self._closure_digests.get(package.short)
        if found is None:
            folders = self.folders
            files = {name: self.snapshot.digest(folders[name]) for name in self.closure(package)}
            external = self.lock.closure(normalize(package.distribution)) - self.members.keys()
            found = digest({"files": files, "locked": self.lock.identities(external)})
            self._closure_digests[package.short] = found
        return found

    def task_parts(self, task: Task, stage: Stage) -> tuple[str, list[str]]:
        """The task's signature for *stage* and its tools' locked versions (memoised)."""
        found = self._task_parts.get((task, stage))
        if found is None:
            found = self._task_parts[task, stage] = (task.signature(stage), self.tools(task))
        return found

    def inputs(self, package: Package, task: Task) -> dict[str, Any]:
        """What goes into the key of *task* on *package*, by name."""
        signature, tools = self.task_parts(task, package.stage)
        found: dict[str, Any] = {
            "schema": KEY_SCHEMA,
            "task": signature,
            "stage": package.stage,
            "package": self.snapshot.digest(self.folders[package.short]),
            "profile": self.snapshot.digest(STAGE_DIRS[package.stage]),
            "settings": self.settings,
            "python": self.python,
            "tools": tools,
        }
        if task.closure:
            found["closure"] = self.closure_digest(package)
        return found

    def key(self, package: Package, task: Task) -> str:
        """The cache key of *task* on *package*."""
        return digest(self.inputs(package, task))

    def clean(self, package: Package, task: Task) -> bool:
        """True when nothing the key covers differs from the commit checked out, so a pass
        can be recorded against that commit."""
        dirty = self.snapshot.dirty
        if self.snapshot.head is None or not dirty.isdisjoint(ROOT_INPUTS):
            return False
        folders = {package.path.as_posix(), STAGE_DIRS[package.stage]}
        if task.closure:
            folders |= {self.folders[name] for name in self.closure(package)}
        return dirty.isdisjoint(folders)
