"""Task environments under `.proto/envs/`: one per package, holding only the package, its
declared dependencies (workspace siblings as editable installs), its own `dev` group and the
root's dev tools, all at the versions uv.lock holds; and `_tools`, the root's dev tools alone
(for lint). An import the package does not declare fails in its environment.

An environment is made with `uv sync --package DIST --exact --frozen --group dev`. For a member
without a `dev` group of its own, that brings the root's dev tools; a member's own `dev` group
replaces the root's (uv 0.12 and later), so for such a member the root's dev tools are added at
their locked versions (`uv export` of the root's `dev` group, filtered to what those tools need,
`uv pip install --no-deps`). A stamp records what the environment was made
from (the locked closure, the manifests involved, the Python asked for); an environment whose
stamp matches is reused without asking uv anything.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from seedbed.effects import uv
from seedbed.effects.process import Captured
from seedbed.model.names import normalize
from seedbed.model.workspace import MANIFEST, Package, read_toml
from seedbed.tasks.keys import DEV_GROUP, Keys, digest
from seedbed.tasks.state import state_dir, write_atomic

TOOLS = "_tools"  # no package is called that: short names start with a letter
STAMP = "proto-env.json"
ENV_SCHEMA = "seedbed-env/1"
REQUIREMENT_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


class EnvironmentFailedError(Exception):
    """uv could not make an environment; the message is uv's output."""


def bin_dir(environment: Path) -> Path:
    """The folder of an environment's programs (Scripts on Windows)."""
    return environment / ("Scripts" if os.name == "nt" else "bin")


def python_in(environment: Path) -> Path:
    """An environment's Python."""
    return bin_dir(environment) / ("python.exe" if os.name == "nt" else "python")


def child_environment(environment: Path | None, extra: dict[str, str]) -> dict[str, str]:
    """This process's environment variables for a program run in *environment* (its programs
    first on PATH, VIRTUAL_ENV set), plus *extra*."""
    variables = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME")}
    if environment is not None:
        variables["VIRTUAL_ENV"] = str(environment)
        variables["PATH"] = os.pathsep.join([str(bin_dir(environment)), os.environ.get("PATH", "")])
    return {**variables, **extra}


@dataclass
class Environments:
    """The environments of one run: which are current, and making the others (thread-safe:
    each is made once even when several tasks of a package start together)."""

    keys: Keys
    _locks: dict[str, threading.Lock] = field(default_factory=dict, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _tools_list: Path | None = field(default=None, repr=False)

    @property
    def root(self) -> Path:
        """The workspace root."""
        return self.keys.workspace.root

    def folder(self, package: Package | None) -> Path:
        """Where the environment of *package* (None: the dev tools alone) lives."""
        return self.root / ".proto" / "envs" / (package.short if package else TOOLS)

    def wanted(self, package: Package | None) -> str:
        """What the environment must be made from, as one id."""
        keys, lock = self.keys, self.keys.lock
        root_config = keys.workspace.config
        inputs: dict[str, object] = {
            "schema": ENV_SCHEMA,
            "python": keys.python,
            "groups": root_config.get("dependency-groups", {}),
            "tools": keys.dev_tools,
        }
        if package is not None:
            members = [package.short, *keys.closure(package)]
            inputs["uv"] = root_config.get("tool", {}).get("uv", {})
            inputs["package"] = package.distribution
            inputs["locked"] = lock.identities(lock.closure(normalize(package.distribution)))
            inputs["manifests"] = {
                name: keys.snapshot.blob(keys.folders[name], MANIFEST) for name in members
            }
        return digest(inputs)

    def current(self, package: Package | None) -> bool:
        """True when the environment exists and was made from what it must be made from."""
        folder = self.folder(package)
        try:
            stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return (
            isinstance(stamp, dict)
            and stamp.get("wanted") == self.wanted(package)
            and python_in(folder).exists()
        )

    def ensure(self, package: Package | None) -> Path:
        """The environment of *package*, made or remade first if it is not current; raises
        EnvironmentFailedError with uv's output when uv cannot make it."""
        name = package.short if package else TOOLS
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            folder = self.folder(package)
            if not self.current(package):
                (folder / STAMP).unlink(missing_ok=True)
                self._make(package, folder)
                stamp = {"wanted": self.wanted(package), "python": sys.platform}
                write_atomic(folder / STAMP, json.dumps(stamp).encode())
            return folder

    def _make(self, package: Package | None, folder: Path) -> None:
        state_dir(self.root)
        variables = child_environment(None, {"UV_PROJECT_ENVIRONMENT": str(folder)})
        root_tools = bool(self.keys.lock.groups.get(DEV_GROUP))
        steps: list[list[str]] = []
        if package is None:
            steps.append(uv.venv_args(folder, clear=True))
            add_tools = root_tools
        else:
            own = DEV_GROUP in read_toml(self.root / package.manifest).get("dependency-groups", {})
            group = DEV_GROUP if own or root_tools else None
            steps.append(uv.sync_package_args(package.distribution, group=group))
            # A member without a dev group gets the root's from `--group dev`; one with its own
            # gets only its own (uv 0.12 and later), so the root's tools are added after it.
            add_tools = own and root_tools
        if add_tools:
            steps.append(uv.install_locked_args(python_in(folder), self._tools_requirements()))
        log = []
        for args in steps:
            done = uv.run_uv_captured(args, self.root, variables)
            log.append(f"$ uv {' '.join(args)}\n{done.output}")
            if done.code != 0:
                raise EnvironmentFailedError("".join(log))

    def _tools_requirements(self) -> Path:
        """The root's dev tools and everything they need, pinned as uv.lock has them, in a
        requirements file (made once per run)."""
        with self._guard:
            if self._tools_list is not None:
                return self._tools_list
            done: Captured = uv.run_uv_captured(uv.export_group_args(DEV_GROUP), self.root)
            if done.code != 0:
                raise EnvironmentFailedError(f"$ uv {' '.join(uv.export_group_args(DEV_GROUP))}\n"
                                             f"{done.output}")  # fmt: skip
            wanted = self.keys.lock.closure_of(self.keys.lock.groups.get(DEV_GROUP, ()))
            lines = []
            for line in done.output.splitlines():
                match = REQUIREMENT_NAME.match(line)
                if match and normalize(match.group(1)) in wanted:
                    lines.append(line.strip())
            path = state_dir(self.root) / "envs" / f"{TOOLS}.txt"
            write_atomic(path, ("\n".join(lines) + "\n").encode())
            self._tools_list = path
            return path
