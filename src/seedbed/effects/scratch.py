"""Scratch folders beside their destination (so the final move is one rename on one file
system), and throw-away git worktrees in the system's temporary folder; each locked by the
process that owns it, so a later run can tell the leftovers of a killed one from another run's
work in progress."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from seedbed.effects import git
from seedbed.effects.locks import FileLock

LOCK_NAME = ".owner.lock"
WORKTREE = "tree"  # the worktree's folder inside its scratch folder


@contextmanager
def folder(parent: Path, prefix: str) -> Iterator[Path]:
    """A new folder `parent/<prefix>XXXX`, removed when the block ends however it ends."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    lock = FileLock(path / LOCK_NAME)
    lock.acquire()
    try:
        yield path
    finally:
        lock.release()
        shutil.rmtree(path, ignore_errors=True)


def abandoned(path: Path) -> bool:
    """Whether the scratch folder *path* has no owner at work any more."""
    if not path.is_dir():
        return True  # only git's record of a worktree is left
    if not (path / LOCK_NAME).is_file():
        return True  # no owner ever locked it (asking would create the lock file: a write)
    lock = FileLock(path / LOCK_NAME)
    if not lock.acquire():
        return False  # its owner is still at work
    lock.release()
    return True


def leftovers(parent: Path, prefix: str) -> list[Path]:
    """Scratch folders in *parent* whose owner is gone (killed before it could clean up)."""
    return [
        path
        for path in sorted(parent.glob(f"{prefix}*"))
        if path.is_dir() and not path.is_symlink() and abandoned(path)
    ]


def clear_stale(parent: Path, prefix: str) -> list[Path]:
    """Remove the leftovers of killed runs; return what was removed."""
    removed = leftovers(parent, prefix)
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed


@contextmanager
def worktree(root: Path, rev: str, prefix: str) -> Iterator[Path]:
    """A throw-away worktree of *rev* (detached), in a new folder `<tmp>/<prefix>XXXX/tree`
    owned by this process; yields the workspace's folder inside it. However the block ends
    (an exception, Ctrl-C, SIGTERM raised as Interrupted), the worktree is removed; after a
    SIGKILL, `proto doctor --fix` removes it (see worktree_leftovers)."""
    toplevel = git.toplevel(root)
    inner = root.resolve().relative_to(toplevel.resolve())
    with folder(Path(tempfile.gettempdir()), prefix) as scratch:
        tree = scratch / WORKTREE
        git.run_git([*git.NO_HOOKS, "worktree", "add", "--quiet", "--detach", str(tree), rev],
                    toplevel)  # fmt: skip
        try:
            yield tree / inner
        finally:
            git.run_git(["worktree", "remove", "--force", str(tree)], toplevel, ok=(0, 128))
            git.run_git(["worktree", "prune"], toplevel, ok=(0, 128))


def worktree_leftovers(root: Path, prefixes: tuple[str, ...]) -> list[Path]:
    """The worktrees of the repository at *root* made by `worktree` with one of *prefixes*
    whose owner is gone (killed before it could remove them)."""
    listing = git.run_git(["worktree", "list", "--porcelain"], root)
    found = []
    for line in listing.splitlines():
        if not line.startswith("worktree "):
            continue
        path = Path(line.removeprefix("worktree "))
        if path.parent.name.startswith(prefixes) and abandoned(path.parent):
            found.append(path)
    return found
