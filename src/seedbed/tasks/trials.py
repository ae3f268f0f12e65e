"""A task's result on a package at any commit: checked out in a scratch worktree (never the
user's work tree), keyed like `proto run` keys it, served from the shared task cache where a
pass on the same content is recorded, run otherwise (and a pass recorded, with the commit).

Within one search, a result is known by its key: two commits whose key is the same are one
trial, unless a trial is asked for again (to confirm it)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from seedbed.effects import git
from seedbed.errors import ProtoError
from seedbed.model import workspace as ws
from seedbed.tasks import definitions, files, parsed, runner
from seedbed.tasks.cache import Cache
from seedbed.tasks.envs import Environments
from seedbed.tasks.keys import Keys


@dataclass(frozen=True)
class Trial:
    """The task at one commit: passed or not, what it printed (a cached pass: its summary),
    whether the cache answered, and the key (None when the task could not be keyed there:
    no such package or task, an unreadable manifest or lock)."""

    commit: str
    passed: bool
    output: str
    cached: bool = False
    key: str | None = None
    duration_s: float = 0.0


@dataclass
class Trials:
    """Trials of tasks at commits, in the scratch worktree whose workspace is at *tree*."""

    tree: Path
    cache: Cache
    notify: Callable[[str, str, str], None] = lambda package, task, commit: None
    log: list[tuple[str, str, Trial]] = field(default_factory=list)  # (package, task, trial)
    _known: dict[tuple[str, str, str], Trial] = field(default_factory=dict)
    _checked_out: str | None = None

    def checkout(self, commit: str) -> None:
        """Put the worktree at *commit*, with nothing a task left behind (but `.proto/`, where
        the task environments are, reused from one commit to the next)."""
        if self._checked_out == commit:
            return
        git.run_git([*git.NO_HOOKS, "checkout", "--quiet", "--force", "--detach", commit],
                    self.tree)  # fmt: skip
        git.run_git(["clean", "-ffdxq", "-e", ".proto", "--", "."], self.tree)
        self._checked_out = commit

    def at(self, short: str, task_name: str, commit: str, *, again: bool = False) -> Trial:
        """The result of *task_name* on the package *short* at *commit*: known (the same key
        tried before in this search), from the cache, or run; with *again*, run whatever is
        known."""
        self.checkout(commit)
        try:
            keyed = self._keyed(short, task_name)
        except ProtoError as error:
            trial = Trial(commit, False, f"{error.message}\n")
            self.log.append((short, task_name, trial))
            return trial
        task, package, keys, key = keyed
        known = self._known.get((short, task_name, key))
        if known is not None and not again:
            trial = Trial(commit, known.passed, known.output, known.cached, key)
        else:
            record = None if again else self.cache.hit(key, self.tree)
            clean = keys.clean(package, task)
            if record is not None:
                self.cache.seen(record, commit if clean else None)
                trial = Trial(commit, True, record.summary, cached=True, key=key)
            else:
                self.notify(short, task_name, commit)
                start = time.perf_counter()
                outcome = runner.run_task(task, package, Environments(keys))
                if outcome.passed:
                    self.cache.passed(key, package, task.name, outcome, commit if clean else None)
                trial = Trial(commit, outcome.passed, outcome.output, False, key,
                              time.perf_counter() - start)  # fmt: skip
            self._known.setdefault((short, task_name, key), trial)
        self.log.append((short, task_name, trial))
        return trial

    def _keyed(self, short: str, task_name: str) -> tuple[definitions.Task, ws.Package, Keys, str]:
        """The task, package and key at the commit checked out; a ProtoError says why there
        is none (the package or the task does not exist there, a file does not read)."""
        pending = files.Pending.start(self.tree)
        try:
            workspace = ws.load(self.tree)
            package = workspace.find(short)
            if package is None:
                raise ProtoError(f"there is no package '{short}' at this commit")
            task = definitions.catalog(workspace.proto_config).get(task_name)
            if task is None:
                raise ProtoError(f"there is no task '{task_name}' at this commit")
            lock = parsed.Parsed(self.tree).read_lock()
        except BaseException:
            pending.close()
            raise
        keys = Keys(workspace, lock, pending.result())
        return task, package, keys, keys.key(package, task)
