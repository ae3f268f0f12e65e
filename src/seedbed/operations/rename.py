"""`proto rename OLD NEW`: a package gets a new name everywhere, as one transaction.

The folder (`seeds/OLD` -> `seeds/NEW`), its import package (`src/SCOPE/OLD` ->
`src/SCOPE/NEW`) and its test module move with `git mv`, so history follows; the distribution
and import names are rewritten wherever the workspace names them (operations/rewrites.py):
Python code with a syntax tree, manifests with tomlkit, the answers file, and whole-path and
whole-name mentions in text files. Then uv relocks, the renamed member upgraded (uv issue
10296), every other pin kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seedbed.effects import git
from seedbed.errors import InvalidInputError, ProtoError
from seedbed.model.names import identifier, normalize, validate_name
from seedbed.model.workspace import MANIFEST, Package, Workspace
from seedbed.operations import reshape, rewrites
from seedbed.templating.answers import ANSWERS_FILE


@dataclass(frozen=True)
class RenamePlan(rewrites.RewritePlan):
    """Everything a rename will change."""

    package: Package
    new: str  # the new short name

    @property
    def distribution(self) -> str:
        """The new distribution name."""
        return self.workspace.scope.distribution(self.new)

    def renames(self) -> list[str]:
        """The names that change, as `old -> new` lines."""
        scope = self.workspace.scope
        return [
            f"{self.package.distribution} -> {self.distribution} (distribution)",
            f"{scope.import_name(self.package.short)} -> {scope.import_name(self.new)} (import)",
        ]

    def commit_message(self) -> str:
        """One line that says what was renamed, and a body that lists the changes."""
        lines = [f"- {m.source} -> {m.target}" for m in self.moves[:1]]
        lines += [f"- {line.rsplit(' (', 1)[0]}" for line in self.renames()]
        return f"Rename {self.package.short} to {self.new}\n\n" + "\n".join(lines) + "\n"


def plan_rename(
    workspace: Workspace,
    old: str,
    new: str,
    *,
    allow_dirty: bool = False,
    commit: bool = False,
) -> RenamePlan:
    """Check every precondition and work out every change; refuse before anything is written."""
    root = workspace.root
    scope = workspace.scope
    package = workspace.get(old)
    short = validate_name(scope.short_name(new), "new package name")
    if short == package.short:
        raise InvalidInputError(
            f"'{package.short}' is already called {short}", "give it a different new name"
        )
    taken = workspace.taken_names()
    for candidate in (short, scope.distribution(short)):
        used_by = taken.get(normalize(candidate))
        if used_by is not None and used_by != package.path:
            raise ProtoError(
                f"the name '{short}' is already used by {used_by.as_posix()}",
                "pick another name, or retire that package first (`proto retire`)",
            )
    git.require_repository(root, "a rename cannot keep history")
    source = package.path.as_posix()
    target = f"{package.path.parent.as_posix()}/{short}"
    if git.is_ignored(root, f"{target}/{MANIFEST}"):
        raise InvalidInputError(
            f"git ignores {target} (.gitignore), so the renamed package would not be committed",
            "pick another name, or change .gitignore",
        )
    moves = reshape.plan_moves(
        root, [(source, target, package)], action="rename", allow_dirty=allow_dirty, commit=commit
    )
    old_path = scope.import_name(package.short).replace(".", "/")
    new_path = scope.import_name(short).replace(".", "/")
    moves += _inner_moves(root, source, target, f"src/{old_path}", f"src/{new_path}")
    old_test = f"tests/test_{identifier(package.short)}.py"
    new_test = f"tests/test_{identifier(short)}.py"
    moves += _inner_moves(root, source, target, old_test, new_test)
    renaming = _renaming(workspace, package, short, moves)
    edits = rewrites.plan_edits(workspace, renaming)
    plan = RenamePlan(workspace, tuple(moves), renaming, edits, commit, package, short)
    rewrites.require_clean(plan, "rename", allow_dirty=allow_dirty)
    return plan


def _inner_moves(root: Path, source: str, target: str, old: str, new: str) -> list[reshape.Move]:
    """A move inside the package folder (made after the folder itself moved), if *old* is
    there and *new* is not."""
    if not (root / source / old).exists() or (root / source / new).exists():
        return []
    tracked = len(git.tracked(root, f"{source}/{old}"))
    untracked = len(git.untracked(root, f"{source}/{old}"))
    return [reshape.Move(f"{target}/{old}", f"{target}/{new}", tracked, untracked)]


def _renaming(
    workspace: Workspace, package: Package, short: str, moves: list[reshape.Move]
) -> rewrites.Renaming:
    scope = workspace.scope
    old_import, new_import = scope.import_name(package.short), scope.import_name(short)
    source, target = moves[0].source, moves[0].target
    paths = {source: target}
    for move in moves[1:]:  # the full old path of what moved inside the folder
        paths[source + move.source[len(target) :]] = move.target
    old_top, new_top = old_import.split(".")[0], new_import.split(".")[0]
    hatch = {f"src/{old_top}": f"src/{new_top}"} if old_top != new_top else {}
    if old_top != new_top:  # flat: the relative source path names the package too
        paths[f"src/{old_top}"] = f"src/{new_top}"
    else:
        paths[f"src/{old_import.replace('.', '/')}"] = f"src/{new_import.replace('.', '/')}"
    return rewrites.Renaming(
        modules={old_import: new_import},
        distributions={normalize(package.distribution): scope.distribution(short)},
        paths=paths,
        names={package.distribution: scope.distribution(short), old_import: new_import},
        hatch=hatch,
        first_party={old_import: new_import},
        answers={f"{source}/{ANSWERS_FILE}": (scope, short)},
        local={source: {package.short: short}},
    )


def apply(plan: RenamePlan) -> bool:
    """Carry the plan out as one transaction; True when it was committed."""
    return rewrites.apply(plan, "rename")
