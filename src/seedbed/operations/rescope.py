"""`proto rescope NEW_SCOPE`: the whole workspace under a new scope, as one transaction.

Every distribution (`OLD-NAME` -> `NEW-NAME`), the import namespace folder of each package
(`src/OLD_IDENT` -> `src/NEW_IDENT`, or each `src/OLD_IDENT_NAME` with flat imports, moved
with `git mv`), every import, every dependency and source, the answers files, READMEs, ruff's
known-first-party and `[tool.proto] scope` (operations/rewrites.py). Package folders keep
their names. Then uv relocks, the renamed members upgraded, every other pin kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from seedbed.effects import git
from seedbed.errors import InvalidInputError, ProtoError
from seedbed.model.graph import Graph
from seedbed.model.names import Scope, identifier, normalize, requirement_name, validate_scope
from seedbed.model.workspace import Package, Workspace
from seedbed.operations import reshape, rewrites
from seedbed.templating.answers import ANSWERS_FILE


@dataclass(frozen=True)
class RescopePlan(rewrites.RewritePlan):
    """Everything a rescope will change."""

    scope: Scope  # the new one

    def renames(self) -> list[str]:
        """The names that change, as `old -> new` lines."""
        old, new = self.workspace.scope, self.scope
        lines = [f"{old.name} -> {new.name} (scope)"]
        if old.import_style == "namespace":
            lines.append(f"{identifier(old.name)} -> {identifier(new.name)} (import namespace)")
        return lines + [
            f"{p.distribution} -> {new.distribution(p.short)}" for p in self.workspace.packages
        ]

    def commit_message(self) -> str:
        """One line that says what changed, and a body that lists the packages."""
        body = "\n".join(f"- {line}" for line in self.renames()[1:])
        return f"Rescope {self.workspace.scope.name} to {self.scope.name}\n\n{body}\n"


def plan_rescope(
    workspace: Workspace, new_scope: str, *, allow_dirty: bool = False, commit: bool = False
) -> RescopePlan:
    """Check every precondition and work out every change; refuse before anything is written."""
    root = workspace.root
    old = workspace.scope
    validate_scope(new_scope, old.import_style)
    if new_scope == old.name:
        raise InvalidInputError(
            f"the scope is already '{new_scope}'", "give the workspace a different scope"
        )
    new = Scope(new_scope, old.import_style)
    graph = Graph.of(workspace)
    renamed = {normalize(new.distribution(p.short)): p.short for p in workspace.packages}
    for consumer, requirements in sorted(graph.external.items()):
        for requirement in requirements:
            clash = renamed.get(requirement_name(requirement) or "")
            if clash is not None:
                raise ProtoError(
                    f"'{consumer}' depends on '{requirement}' from outside the workspace, which "
                    f"is the name '{clash}' would get under the scope '{new_scope}'",
                    "pick another scope",
                )
    git.require_repository(root, "a rescope cannot keep history")
    wanted: list[tuple[str, str, Package | None]] = []
    for package in workspace.packages:
        folder = package.path.as_posix()
        reshape.refuse_symlink(root, folder, "rescope")
        old_top, new_top = _top(old, package.short), _top(new, package.short)
        if (root / folder / "src" / old_top).is_dir():
            wanted.append((f"{folder}/src/{old_top}", f"{folder}/src/{new_top}", package))
    moves = reshape.plan_moves(
        root, wanted, action="rescope", allow_dirty=allow_dirty, commit=False
    )
    renaming = _renaming(workspace, new)
    edits = rewrites.plan_edits(workspace, renaming)
    plan = RescopePlan(workspace, tuple(moves), renaming, edits, commit, new)
    rewrites.require_clean(plan, "rescope", allow_dirty=allow_dirty)
    if commit and not any(move.tracked for move in moves):
        raise ProtoError(
            "no package has been committed yet, so --commit has nothing to record",
            "commit the workspace first, or rescope without --commit",
        )
    return plan


def _top(scope: Scope, short: str) -> str:
    """The top-level folder under src/: the namespace, or the whole flat import name."""
    return scope.import_name(short).split(".")[0]


def _renaming(workspace: Workspace, new: Scope) -> rewrites.Renaming:
    old = workspace.scope
    old_ident, new_ident = identifier(old.name), identifier(new.name)
    if old.import_style == "namespace":
        modules = {old_ident: new_ident}
    else:
        modules = {old.import_name(p.short): new.import_name(p.short) for p in workspace.packages}
    tops = {_top(old, p.short): _top(new, p.short) for p in workspace.packages}
    paths = {f"src/{old_top}": f"src/{new_top}" for old_top, new_top in tops.items()}
    for package in workspace.packages:
        folder = package.path.as_posix()
        paths[f"{folder}/src/{_top(old, package.short)}"] = (
            f"{folder}/src/{_top(new, package.short)}"
        )
    names = {p.distribution: new.distribution(p.short) for p in workspace.packages}
    names |= {old.import_name(p.short): new.import_name(p.short) for p in workspace.packages}
    answers: dict[str, tuple[Scope, str | None]] = {ANSWERS_FILE: (new, None)}
    for package in workspace.packages:
        answers[f"{package.path.as_posix()}/{ANSWERS_FILE}"] = (new, None)
    return rewrites.Renaming(
        modules=modules,
        distributions={
            normalize(p.distribution): new.distribution(p.short) for p in workspace.packages
        },
        paths=paths,
        names=names,
        words={old.name: new.name, old_ident: new_ident},
        hatch={f"src/{old_top}": f"src/{new_top}" for old_top, new_top in tops.items()},
        first_party={old_ident: new_ident, f"{old_ident}_*": f"{new_ident}_*", **modules},
        answers=answers,
        scope=new.name,
    )


def apply(plan: RescopePlan) -> bool:
    """Carry the plan out as one transaction; True when it was committed."""
    return rewrites.apply(plan, "rescope")
