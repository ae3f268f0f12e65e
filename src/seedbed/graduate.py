"""`proto graduate`: move seeds/NAME to core/NAME as one transaction.

Planning reads TOML and asks git read-only questions; it imports no Copier and no GitPython.
Applying moves with `git mv` (history kept), rewrites mentions of the old path, switches the
package's stage settings, relocks with `uv lock --upgrade-package` (uv issue 10296), and can
commit. Any failure puts files, folders, the git index and uv.lock back exactly as they were.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from seedbed import git
from seedbed.errors import ProtoError
from seedbed.graph import Graph
from seedbed.templates import ANSWERS_FILE
from seedbed.transaction import Transaction
from seedbed.workspace import STAGE_DIRS, Package, Workspace, read_text

# What the package template renders differently per stage (templates/package/pyproject.toml.jinja
# and the answers file); graduation switches these from the seed to the core value.
STATUS_CLASSIFIER = {
    "seed": "Development Status :: 2 - Pre-Alpha",
    "core": "Development Status :: 4 - Beta",
}


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

    def lock_command(self) -> list[str]:
        """The relock that survives moved members (uv issue 10296)."""
        args = ["lock"]
        for move in self.moves:
            args += ["--upgrade-package", move.package.distribution]
        return args

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


def suggested_command(graph: Graph, names: list[str], extra: tuple[str, ...] = ()) -> str:
    """The `proto graduate` command that will be accepted for these seeds as they stand."""
    flags = list(extra)
    wanted = set(names)
    if any(not graph.dependents(name) for name in names) and "--force" not in flags:
        flags.append("--force")
    seeds_below = [n for n in graph.closure(wanted) if graph.packages[n].stage == "seed"]
    if seeds_below and "--with-deps" not in flags:
        flags.append("--with-deps")
    return " ".join(["proto graduate", *names, *flags])


def mention_pattern(source: str) -> re.Pattern[str]:
    """`seeds/NAME` as a whole path segment (not `seeds/NAME-v2`, not `myseeds/NAME`)."""
    return re.compile(rf"(?<![\w.-]){re.escape(source)}(?![\w-])")


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
                f"`{suggested_command(graph, names, flags)}`",
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
            f"graduate them together: `{suggested_command(graph, names, flags)}`",
        )
    wanted.update(behind)
    if not git.is_repository(root):
        raise ProtoError(
            f"{root} is not a git repository, so a graduation cannot keep history",
            "run `git init` and commit the workspace first",
        )
    moves: list[Move] = []
    for short in graph.order(wanted):
        package = graph.packages[short]
        source = package.path.as_posix()
        target = f"{STAGE_DIRS['core']}/{package.path.name}"
        if (root / target).exists():
            raise ProtoError(
                f"{target} already exists, so {source} cannot move there",
                f"move or remove {target} first",
            )
        dirty = git.changed_tracked(root, source)
        if dirty and not allow_dirty:
            shown = ", ".join(dirty[:5]) + (" …" if len(dirty) > 5 else "")
            raise ProtoError(
                f"{source} has uncommitted changes: {shown}",
                "commit or stash them first, or pass --allow-dirty to move them as they are",
            )
        tracked = len(git.tracked(root, source))
        untracked = len(git.untracked(root, source))
        if commit and not tracked:
            raise ProtoError(
                f"{source} has never been committed, so --commit has nothing to record as a move",
                f"commit it first (`git add {source} && git commit`), or graduate without --commit",
            )
        moves.append(Move(package, source, target, tracked, untracked))
    mentions = _files_mentioning(root, moves)
    if commit and not allow_dirty:
        outside = [path for path in (*mentions, "uv.lock") if not _inside(path, moves)]
        dirty = [path for path in outside if git.changed_tracked(root, path)]
        if dirty:
            raise ProtoError(
                f"--commit would also commit your uncommitted changes in: {', '.join(dirty)}",
                "commit or stash them first, or graduate without --commit",
            )
    return GraduatePlan(workspace, tuple(moves), tuple(mentions), commit)


def _inside(path: str, moves: list[Move]) -> bool:
    return any(path.startswith(move.source + "/") for move in moves)


def _files_mentioning(root: Path, moves: list[Move]) -> list[str]:
    candidates = git.files_mentioning(root, [move.source for move in moves])
    patterns = [mention_pattern(move.source) for move in moves]
    found = []
    for path in candidates:
        if path == "uv.lock":
            continue  # uv rewrites its own lock
        text = read_text(root / path)
        if text is not None and any(pattern.search(text) for pattern in patterns):
            found.append(path)
    return sorted(found)


@dataclass
class GraduateResult:
    """What a graduation changed."""

    plan: GraduatePlan
    edited: list[str]
    committed: bool


def apply(plan: GraduatePlan) -> GraduateResult:
    """Carry the plan out as one transaction."""
    from seedbed import uv

    root = plan.workspace.root
    edited: list[str] = []
    with Transaction(root) as transaction:
        transaction.keep_index()
        transaction.keep(root / "uv.lock")
        if not (root / STAGE_DIRS["core"]).exists():
            (root / STAGE_DIRS["core"]).mkdir()
            transaction.created(root / STAGE_DIRS["core"])
        for move in plan.moves:
            if move.tracked:
                git.move(root, move.source, move.target)
            else:
                (root / move.source).rename(root / move.target)
            transaction.moved(root / move.source, root / move.target)
        for old_path in plan.mentions:
            path = plan.new_path(old_path)
            if _rewrite_mentions(transaction, root / path, plan.moves):
                edited.append(path)
        for move in plan.moves:
            edited += _switch_stage(transaction, root, move.target)
        uv.run_uv(plan.lock_command(), root)
        committed = False
        if plan.commit:
            paths = [m.source for m in plan.moves] + [m.target for m in plan.moves]
            paths += [path for path in edited if not _inside_moves(path, plan)] + ["uv.lock"]
            committed = git.commit(root, plan.commit_message(), sorted(set(paths)))
            if not committed:
                raise ProtoError(
                    "git has no identity configured, so the graduation was not committed",
                    "set user.name and user.email with `git config`, then run it again",
                )
    return GraduateResult(plan, sorted(set(edited)), committed)


def _inside_moves(path: str, plan: GraduatePlan) -> bool:
    return any(path.startswith(move.target + "/") for move in plan.moves)


def _rewrite_mentions(transaction: Transaction, path: Path, moves: tuple[Move, ...]) -> bool:
    text = read_text(path)
    if text is None:
        return False
    new = text
    for move in moves:
        new = mention_pattern(move.source).sub(move.target, new)
    if new == text:
        return False
    transaction.keep(path)
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write(new)
    return True


def _switch_stage(transaction: Transaction, root: Path, target: str) -> list[str]:
    """Switch a package's own stage settings to core; return the files changed."""
    from seedbed import tomledit

    changed = []
    manifest = root / target / "pyproject.toml"
    document = tomledit.load(manifest)
    if tomledit.replace_in_array(
        document, ("project", "classifiers"), STATUS_CLASSIFIER["seed"], STATUS_CLASSIFIER["core"]
    ):
        transaction.keep(manifest)
        tomledit.dump(manifest, document)
        changed.append(f"{target}/pyproject.toml")
    answers = root / target / ANSWERS_FILE
    if answers.is_file():
        text = read_text(answers) or ""
        new = re.sub(r"(?m)^stage: seed(\r?)$", r"stage: core\1", text)
        if new != text:
            transaction.keep(answers)
            with answers.open("w", encoding="utf-8", newline="") as file:
                file.write(new)
            changed.append(f"{target}/{ANSWERS_FILE}")
    return changed
