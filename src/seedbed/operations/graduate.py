"""`proto graduate`: move seeds/NAME to core/NAME as one transaction.

Planning reads TOML and asks git read-only questions; it imports no Copier and no GitPython.
Applying moves with `git mv` (history kept), rewrites mentions of the old path, switches the
package's stage settings, relocks with `uv lock --upgrade-package` (uv issue 10296), and can
commit. Any failure puts files, folders, the git index and uv.lock back exactly as they were.
"""

from __future__ import annotations

from seedbed.effects import git, mentions
from seedbed.errors import ProtoError
from seedbed.model.graph import Graph
from seedbed.model.workspace import LOCK, STAGE_DIRS, Package, Workspace
from seedbed.operations import reshape
from seedbed.operations.hints import graduate_command

GraduatePlan = reshape.StagePlan
GraduateResult = reshape.StageResult


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
        reaching = sorted(n for n in wanted if graph.closure({n}) & set(behind))
        who = ", ".join(f"'{name}'" for name in reaching)
        verb = "depends" if len(reaching) == 1 else "depend"
        raise ProtoError(
            f"{who} {verb} on seeds that would be left behind: {', '.join(behind)} "
            "(a core package never depends on a seed)",
            f"graduate them together: `{graduate_command(graph, names, flags)}`",
        )
    wanted.update(behind)
    git.require_repository(root, "a graduation cannot keep history")
    moves = reshape.plan_moves(
        root,
        [
            (package.path.as_posix(), f"{STAGE_DIRS['core']}/{package.path.name}", package)
            for package in (graph.packages[short] for short in graph.order(wanted))
        ],
        action="graduate",
        allow_dirty=allow_dirty,
        commit=commit,
    )
    mentioning = mentions.files_mentioning(root, [move.source for move in moves])
    if commit and not allow_dirty:
        sources = [move.source for move in moves]
        outside = [path for path in (*mentioning, LOCK) if not reshape.inside(path, sources)]
        reshape.require_clean(root, outside, action="graduate", commit=True)
    return GraduatePlan(workspace, tuple(moves), tuple(mentioning), commit, "core", "graduation")


def apply(plan: GraduatePlan) -> GraduateResult:
    """Carry the plan out as one transaction."""
    return reshape.apply_stage_plan(plan)
