"""Moving package folders with their history, shared by the commands that reshape a workspace
(graduate, demote, rename, rescope, retire): the checks before a folder moves or goes, the
refusal of uncommitted work, where a file ends up after the moves, the stage switch, and the
commit of exactly what was touched."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from seedbed.effects import git, mentions
from seedbed.effects.transaction import Transaction
from seedbed.errors import ProtoError
from seedbed.model.workspace import Package, Stage
from seedbed.templating import answers


@dataclass(frozen=True)
class Move:
    """One folder's move (paths relative to the workspace root), with its file counts."""

    source: str
    target: str
    tracked: int
    untracked: int
    package: Package | None = None

    def describe(self) -> str:
        """`seeds/a -> core/a (6 tracked files, 1 untracked)`."""
        counts = f"{self.tracked} tracked files" + (
            f", {self.untracked} untracked" if self.untracked else ""
        )
        return f"{self.source} -> {self.target} ({counts})"


def refuse_symlink(root: Path, folder: str, action: str, effect: str = "move") -> None:
    """A package folder that is a symbolic link is refused: the command would *effect* the
    link, not the package (*action*: the command's verb, e.g. `graduate`)."""
    if (root / folder).is_symlink():
        gerund = action.removesuffix("e") + "ing"
        raise ProtoError(
            f"{folder} is a symbolic link, so {gerund} it would {effect} the link, not the package",
            f"make it a real folder in the workspace (move its files in), then {action} it",
        )


def plan_move(
    root: Path,
    source: str,
    target: str,
    *,
    action: str,
    allow_dirty: bool,
    commit: bool,
    package: Package | None = None,
) -> Move:
    """Check that *source* can move to *target* (*action* is the command's verb, e.g.
    `graduate`), and count its files; refuse before anything changes."""
    refuse_symlink(root, source, action)
    if (root / target).exists() or (root / target).is_symlink():
        raise ProtoError(
            f"{target} already exists, so {source} cannot move there",
            f"move or remove {target} first",
        )
    if not allow_dirty:
        git.require_clean(
            root,
            [source],
            source,
            "commit or stash them first, or pass --allow-dirty to move them as they are",
            untracked=False,
        )
    tracked = len(git.tracked(root, source))
    untracked = len(git.untracked(root, source))
    if commit and not tracked:
        raise ProtoError(
            f"{source} has never been committed, so --commit has nothing to record as a move",
            f"commit it first (`git add {source} && git commit`), or {action} without --commit",
        )
    return Move(source, target, tracked, untracked, package)


def require_clean(root: Path, paths: Iterable[str], *, action: str, commit: bool) -> None:
    """Refuse (exit 1) when a file the command must change has staged or unstaged changes;
    with *commit*, say that they would be committed along."""
    dirty = git.uncommitted(root, sorted(set(paths)), untracked=False)
    if not dirty:
        return
    shown = ", ".join(dirty[:8]) + (" …" if len(dirty) > 8 else "")
    if commit:
        raise ProtoError(
            f"--commit would also commit your uncommitted changes in: {shown}",
            f"commit or stash them first, or {action} without --commit",
        )
    raise ProtoError(
        f"files that `proto {action}` must change have uncommitted changes: {shown}",
        "commit or stash them first, or pass --allow-dirty to change them as they are",
    )


def inside(path: str, folders: Iterable[str]) -> bool:
    """Whether *path* is one of *folders* or lies under one."""
    return any(path == folder or path.startswith(folder + "/") for folder in folders)


def new_path(moves: Sequence[Move], path: str) -> str:
    """Where a file of the workspace is after the moves, made in order."""
    for move in moves:
        if path == move.source or path.startswith(move.source + "/"):
            path = move.target + path[len(move.source) :]
    return path


def move_all(transaction: Transaction, root: Path, moves: Sequence[Move]) -> None:
    """Make the moves, in order: `git mv` for folders with tracked files (history kept,
    staged as renames; untracked files move along), a plain rename otherwise."""
    for move in moves:
        transaction.make_parents(root / move.target)
        transaction.move(root / move.source, root / move.target, with_git=bool(move.tracked))


def switch_stages(
    transaction: Transaction, root: Path, moves: Sequence[Move], mentioning: Sequence[str],
    stage: Stage,
) -> list[str]:  # fmt: skip
    """Graduate's and demote's change after the moves: rewrite mentions of the old folders in
    *mentioning* (their paths before the moves) and switch each moved package's stage
    settings (classifier, answers) to *stage*; return the files edited (paths after)."""
    edited: list[str] = []
    replacements = {move.source: move.target for move in moves}
    for old_path in mentioning:
        path = new_path(moves, old_path)
        if mentions.rewrite(transaction, root / path, replacements):
            edited.append(path)
    for move in moves:
        changed = answers.switch_stage(transaction, root / move.target, stage)
        edited += [path.relative_to(root).as_posix() for path in changed]
    return sorted(set(edited))


def commit(transaction: Transaction, message: str, paths: Iterable[str], what: str) -> bool:
    """Commit exactly *paths* (moved folders on both sides, edited files, uv.lock); a missing
    git identity is an error that names *what* (the transaction then undoes everything)."""
    if not transaction.commit(message, sorted(set(paths))):
        raise ProtoError(
            f"git has no identity configured, so the {what} was not committed",
            "set user.name and user.email with `git config`, then run it again",
        )
    return True
