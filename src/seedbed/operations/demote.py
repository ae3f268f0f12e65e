"""`proto demote`: move core/NAME back to seeds/NAME as one transaction, the reverse of
graduate: `git mv` (history kept), mentions of the old path rewritten, the stage settings
switched back to seed (classifier, answers), relocked with `uv lock --upgrade-package`, and
optionally committed. A core package never depends on a seed, so a package that core packages
depend on is refused, or takes them along with --with-dependents.
"""

from __future__ import annotations

from seedbed.effects import git, mentions
from seedbed.errors import ProtoError
from seedbed.model.graph import Graph
from seedbed.model.workspace import LOCK, STAGE_DIRS, Package, Workspace
from seedbed.operations import reshape

DemotePlan = reshape.StagePlan
DemoteResult = reshape.StageResult


def demote_command(names: list[str], extra: tuple[str, ...] = ()) -> str:
    """The `proto demote` command that takes the core dependents along."""
    flags = [*extra, *(["--with-dependents"] if "--with-dependents" not in extra else [])]
    return " ".join(["proto demote", *names, *flags])


def plan_demote(
    workspace: Workspace,
    names: list[str],
    *,
    with_dependents: bool = False,
    allow_dirty: bool = False,
    commit: bool = False,
) -> DemotePlan:
    """Check every precondition and list every change; refuse before anything is written."""
    root = workspace.root
    graph = Graph.of(workspace)
    chosen: list[Package] = []
    for package in workspace.resolve(names):
        if package.stage != "core":
            raise ProtoError(
                f"'{package.short}' is already a seed ({package.path.as_posix()})",
                "only core packages are demoted; `proto list` shows each package's stage",
            )
        chosen.append(package)
    wanted = {package.short for package in chosen}
    above = _core_dependents(graph, wanted)
    if above and not with_dependents:
        flags = tuple(
            flag for flag, on in (("--allow-dirty", allow_dirty), ("--commit", commit)) if on
        )
        who = ", ".join(f"'{name}'" for name in sorted(wanted))
        users = (
            f"the core package '{above[0]}' depends"
            if len(above) == 1
            else f"the core packages {', '.join(repr(name) for name in above)} depend"
        )
        raise ProtoError(
            f"{users} on {who} (a core package never depends on a seed)",
            f"demote them together: `{demote_command([p.short for p in chosen], flags)}`",
        )
    wanted.update(above)
    git.require_repository(root, "a demotion cannot keep history")
    moves = reshape.plan_moves(
        root,
        [
            (package.path.as_posix(), f"{STAGE_DIRS['seed']}/{package.path.name}", package)
            for package in (graph.packages[short] for short in reversed(graph.order(wanted)))
        ],
        action="demote",
        allow_dirty=allow_dirty,
        commit=commit,
    )
    sources = [move.source for move in moves]
    mentioning = mentions.files_mentioning(root, sources)
    if not allow_dirty:
        outside = [path for path in mentioning if not reshape.inside(path, sources)]
        reshape.require_clean(
            root, [*outside, *([LOCK] if commit else [])], action="demote", commit=commit
        )
    return DemotePlan(workspace, tuple(moves), tuple(mentioning), commit, "seed", "demotion")


def _core_dependents(graph: Graph, names: set[str]) -> list[str]:
    """The core packages that depend on *names*, directly or through other core packages."""
    found: set[str] = set()
    frontier = set(names)
    while frontier:
        following = {
            dependent
            for name in frontier
            for dependent in graph.dependents(name)
            if graph.packages[dependent].stage == "core" and dependent not in names | found
        }
        found |= following
        frontier = following
    return sorted(found)


def apply(plan: DemotePlan) -> DemoteResult:
    """Carry the plan out as one transaction."""
    return reshape.apply_stage_plan(plan)
