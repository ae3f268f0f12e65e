"""Moving package folders with their history, shared by the commands that reshape a workspace
(graduate, demote, rename, rescope, retire): the checks before a folder moves or goes, the
refusal of uncommitted work, where a file ends up after the moves, the stage switch, and the
commit of exactly what was touched."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from seedbed.effects import git, mentions, typecheck, uv
from seedbed.effects.transaction import Transaction, changing
from seedbed.errors import ProtoError
from seedbed.model.workspace import LOCK, MANIFEST, STAGE_DIRS, Package, Stage, Workspace
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


def plan_moves(
    root: Path,
    wanted: Sequence[tuple[str, str, Package | None]],
    *,
    action: str,
    allow_dirty: bool,
    commit: bool,
) -> list[Move]:
    """Check that each (source, target, package) can move (*action* is the command's verb,
    e.g. `graduate`), and count each source's files; refuse before anything changes. Git is
    asked once for all of them (a rescope moves a folder in every package)."""
    for source, target, _ in wanted:
        refuse_symlink(root, source, action)
        if (root / target).exists() or (root / target).is_symlink():
            raise ProtoError(
                f"{target} already exists, so {source} cannot move there",
                f"move or remove {target} first",
            )
    sources = [source for source, _, _ in wanted]
    if not sources:
        return []
    if not allow_dirty:
        dirty: dict[str, list[str]] = {}
        for change in git.status(root, sources, untracked=False):
            dirty.setdefault(under(change.path, set(sources)) or "", []).append(change.path)
        for source in sources:
            if dirty.get(source):
                shown = ", ".join(dirty[source][:8]) + (" …" if len(dirty[source]) > 8 else "")
                raise ProtoError(
                    f"{source} has uncommitted changes: {shown}",
                    "commit or stash them first, or pass --allow-dirty to move them as they are",
                )
    tracked = _counts(git.tracked(root, *sources), sources)
    untracked = _counts(git.untracked(root, *sources), sources)
    moves = [
        Move(source, target, tracked[source], untracked[source], package)
        for source, target, package in wanted
    ]
    for move in moves:
        if commit and not move.tracked:
            raise ProtoError(
                f"{move.source} has never been committed, so --commit has nothing to record as "
                "a move",
                f"commit it first (`git add {move.source} && git commit`), or {action} without "
                "--commit",
            )
    return moves


def _counts(paths: list[str], folders: list[str]) -> dict[str, int]:
    """How many of *paths* lie under each of *folders*."""
    counts = dict.fromkeys(folders, 0)
    wanted = set(folders)
    for path in paths:
        folder = under(path, wanted)
        if folder is not None:
            counts[folder] += 1
    return counts


def under(path: str, folders: set[str]) -> str | None:
    """The one of *folders* that *path* is or lies under (the nearest), or None."""
    while path:
        if path in folders:
            return path
        path = path.rpartition("/")[0]
    return None


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
    return under(path, set(folders)) is not None


def relocator(moves: Sequence[Move]) -> Callable[[str], str]:
    """Where a file of the workspace is after the moves, made in order (a later move may move
    what an earlier one moved: a renamed package's import folder); the index is built once."""
    by_source = {move.source: index for index, move in enumerate(moves)}

    def new_path(path: str) -> str:
        done = -1
        while True:
            ancestors = [path]
            while "/" in ancestors[-1]:
                ancestors.append(ancestors[-1].rpartition("/")[0])
            following = [by_source[a] for a in ancestors if by_source.get(a, -1) > done]
            if not following:
                return path
            done = min(following)
            path = moves[done].target + path[len(moves[done].source) :]

    return new_path


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
    new_path = relocator(moves)
    for old_path in mentioning:
        path = new_path(old_path)
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


@dataclass(frozen=True)
class StagePlan:
    """A move of whole packages between the stages (graduate, demote): the moves in order,
    the tracked files that mention an old folder, the stage they go to, and whether to
    commit."""

    workspace: Workspace
    moves: tuple[Move, ...]
    mentions: tuple[str, ...]  # tracked files (current paths) that mention an old path
    commit: bool
    stage: Stage
    what: str  # the change, for messages: graduation, demotion

    @property
    def names(self) -> list[str]:
        """The moving packages' short names, in the order they move."""
        return [move.package.short for move in self.moves if move.package is not None]

    @property
    def upgrade(self) -> tuple[str, ...]:
        """The distributions to relock with --upgrade-package (moved members: uv issue 10296)."""
        return tuple(m.package.distribution for m in self.moves if m.package is not None)

    def lock_command(self) -> list[str]:
        """The relock that survives moved members."""
        return uv.lock_args(self.upgrade)

    def commit_message(self) -> str:
        """One line that says what moved, and a body that lists it."""
        verb = "Graduate" if self.stage == "core" else "Demote"
        body = "\n".join(f"- {m.source} -> {m.target}" for m in self.moves)
        return f"{verb} {', '.join(self.names)} to {STAGE_DIRS[self.stage]}\n\n{body}\n"


@dataclass
class StageResult:
    """What a move between the stages changed."""

    plan: StagePlan
    edited: list[str]
    committed: bool


def apply_stage_plan(plan: StagePlan) -> StageResult:
    """Move, rewrite mentions, switch the stage settings, relock and (with --commit) commit
    exactly that, as one transaction."""
    root = plan.workspace.root
    with changing(root, index=True) as transaction:
        move_all(transaction, root, plan.moves)
        edited = switch_stages(transaction, root, plan.moves, plan.mentions, plan.stage)
        if typecheck.sync(transaction, root) and MANIFEST not in edited:  # core's strict modules
            edited.append(MANIFEST)  # once: the mentions may have rewritten it already
        transaction.relock(plan.upgrade)
        committed = False
        if plan.commit:
            folders = [m.source for m in plan.moves] + [m.target for m in plan.moves]
            paths = [*folders, *(p for p in edited if not inside(p, folders)), LOCK]
            committed = commit(transaction, plan.commit_message(), paths, plan.what)
    return StageResult(plan, edited, committed)
