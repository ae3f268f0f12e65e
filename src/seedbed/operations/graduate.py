"""`proto graduate`: move seeds/NAME to core/NAME as one transaction.

Planning reads TOML and asks git read-only questions; it imports no Copier and no GitPython.
Applying moves with `git mv` (history kept), rewrites mentions of the old path, switches the
package's stage settings, relocks with `uv lock --upgrade-package` (uv issue 10296), and can
commit. Any failure puts files, folders, the git index and uv.lock back exactly as they were.
"""

from __future__ import annotations

from dataclasses import dataclass

from seedbed.effects import git, mentions, typecheck, uv
from seedbed.effects.transaction import changing
from seedbed.errors import ProtoError
from seedbed.model.graph import Graph
from seedbed.model.workspace import LOCK, MANIFEST, STAGE_DIRS, Package, Workspace
from seedbed.operations.hints import graduate_command
from seedbed.templating import answers


@dataclass(frozen=True)
class Move:
    """One package's move from seeds/ to core/."""

    package: Package
    source: str  # seeds/NAME
    target: str  # core/NAME
    tracked: int
    untracked: int


@dataclass(frozen=True)
class GraduatePlan:
    """Everything a graduation will change, in order."""

    workspace: Workspace
    moves: tuple[Move, ...]
    mentions: tuple[str, ...]  # tracked files (current paths) that mention an old path
    commit: bool

    @property
    def names(self) -> list[str]:
        """The graduating packages' short names, providers first."""
        return [move.package.short for move in self.moves]

    @property
    def upgrade(self) -> tuple[str, ...]:
        """The distributions to relock with --upgrade-package (moved members: uv issue 10296)."""
        return tuple(move.package.distribution for move in self.moves)

    def lock_command(self) -> list[str]:
        """The relock that survives moved members."""
        return uv.lock_args(self.upgrade)

    def new_path(self, path: str) -> str:
        """Where a file of the workspace will be after the moves."""
        for move in self.moves:
            if path.startswith(move.source + "/"):
                return move.target + path[len(move.source) :]
        return path

    def commit_message(self) -> str:
        """One line that says what moved, and a body that lists it."""
        body = "\n".join(f"- {m.source} -> {m.target}" for m in self.moves)
        return f"Graduate {', '.join(self.names)} to core\n\n{body}\n"


def plan_graduate(
    workspace: Workspace,
    names: list[str],
    *,
    with_deps: bool = False,
    force: bool = False,
    allow_dirty: bool = False,
    commit: bool = False,
) -> GraduatePlan:
    """Check every precondition and list every change; refuse before anything is written."""
    root = workspace.root
    graph = Graph.of(workspace)
    chosen: list[Package] = []
    for name in names:
        package = workspace.get(name)
        if package.stage != "seed":
            raise ProtoError(
                f"'{package.short}' is already in core ({package.path.as_posix()})",
                "only seeds graduate; `proto list` shows each package's stage",
            )
        if package not in chosen:
            chosen.append(package)
    flags = tuple(
        flag
        for flag, on in (("--force", force), ("--allow-dirty", allow_dirty), ("--commit", commit))
        if on
    )
    for package in chosen:
        if not force and not graph.dependents(package.short):
            raise ProtoError(
                f"no package depends on '{package.short}' yet, so it is not ready to graduate",
                "a seed graduates once another package relies on it; to graduate it anyway: "
                f"`{graduate_command(graph, names, flags)}`",
            )
    wanted = {p.short for p in chosen}
    behind = sorted(
        n for n in graph.closure(wanted) if graph.packages[n].stage == "seed" and n not in wanted
    )
    if behind and not with_deps:
        who = ", ".join(f"'{name}'" for name in sorted(wanted))
        verb = "depends" if len(wanted) == 1 else "depend"
        raise ProtoError(
            f"{who} {verb} on seeds that would be left behind: {', '.join(behind)} "
            "(a core package never depends on a seed)",
            f"graduate them together: `{graduate_command(graph, names, flags)}`",
        )
    wanted.update(behind)
    git.require_repository(root, "a graduation cannot keep history")
    moves: list[Move] = []
    for short in graph.order(wanted):
        package = graph.packages[short]
        source = package.path.as_posix()
        target = f"{STAGE_DIRS['core']}/{package.path.name}"
        if (root / source).is_symlink():
            raise ProtoError(
                f"{source} is a symbolic link, so graduating it would move the link, not the "
                "package",
                "make it a real folder in the workspace (move its files in), then graduate it",
            )
        if (root / target).exists():
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
                f"commit it first (`git add {source} && git commit`), or graduate without --commit",
            )
        moves.append(Move(package, source, target, tracked, untracked))
    mentioning = mentions.files_mentioning(root, [move.source for move in moves])
    if commit and not allow_dirty:
        outside = [path for path in (*mentioning, LOCK) if not _inside(path, moves)]
        dirty = git.uncommitted(root, outside, untracked=False)
        if dirty:
            raise ProtoError(
                f"--commit would also commit your uncommitted changes in: {', '.join(dirty)}",
                "commit or stash them first, or graduate without --commit",
            )
    return GraduatePlan(workspace, tuple(moves), tuple(mentioning), commit)


def _inside(path: str, moves: list[Move]) -> bool:
    return any(path.startswith(move.source + "/") for move in moves)


@dataclass
class GraduateResult:
    """What a graduation changed."""

    plan: GraduatePlan
    edited: list[str]
    committed: bool


def apply(plan: GraduatePlan) -> GraduateResult:
    """Carry the plan out as one transaction."""
    root = plan.workspace.root
    edited: list[str] = []
    replacements = {move.source: move.target for move in plan.moves}
    with changing(root, index=True) as transaction:
        for move in plan.moves:
            transaction.make_parents(root / move.target)
            transaction.move(root / move.source, root / move.target, with_git=bool(move.tracked))
        for old_path in plan.mentions:
            path = plan.new_path(old_path)
            if mentions.rewrite(transaction, root / path, replacements):
                edited.append(path)
        for move in plan.moves:
            changed = answers.switch_stage(transaction, root / move.target, "core")
            edited += [path.relative_to(root).as_posix() for path in changed]
        if typecheck.sync(transaction, root):  # core's strict modules
            edited.append(MANIFEST)
        transaction.relock(plan.upgrade)
        committed = False
        if plan.commit:
            paths = [m.source for m in plan.moves] + [m.target for m in plan.moves]
            paths += [path for path in edited if not _inside_moves(path, plan)] + [LOCK]
            committed = transaction.commit(plan.commit_message(), sorted(set(paths)))
            if not committed:
                raise ProtoError(
                    "git has no identity configured, so the graduation was not committed",
                    "set user.name and user.email with `git config`, then run it again",
                )
    return GraduateResult(plan, sorted(set(edited)), committed)


def _inside_moves(path: str, plan: GraduatePlan) -> bool:
    return any(path.startswith(move.target + "/") for move in plan.moves)
