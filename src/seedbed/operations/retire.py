"""`proto retire NAME...`: remove packages, as one transaction.

Refused while a package outside the retired set depends on one of them (in its dependencies
or a dependency group) or imports it. The folders are removed from git's index (`git rm -r
--cached`, staged as deletions) and moved into a scratch folder that is deleted once the change
is done, so a failure or a signal puts them back whole. Then uv relocks, every other pin kept.
History keeps the package: the last commit that has it is named, with the command that brings
it back.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from seedbed.effects import git, scratch, typecheck
from seedbed.effects.transaction import changing
from seedbed.errors import ProtoError
from seedbed.model import imports
from seedbed.model.graph import Graph
from seedbed.model.names import normalize, requirement_name
from seedbed.model.workspace import LOCK, MANIFEST, Package, Workspace
from seedbed.operations import reshape, select

SCRATCH_PREFIX = ".proto-retire-"  # `proto doctor --fix` removes what a killed run leaves


@dataclass(frozen=True)
class Retirement:
    """One package to remove: its folder, its file counts and the last commit that has it."""

    package: Package
    tracked: int
    untracked: int
    last: git.Commit | None
    then: str = "uv lock"  # what brings the rest back after the files: relock (and mypy lists)

    @property
    def folder(self) -> str:
        """The folder, relative to the workspace root."""
        return self.package.path.as_posix()

    def describe(self) -> str:
        """`seeds/notes (6 tracked files, 1 untracked)`."""
        counts = f"{self.tracked} tracked files" + (
            f", {self.untracked} untracked" if self.untracked else ""
        )
        return f"{self.folder} ({counts})"

    def way_back(self) -> str | None:
        """The command that brings it back, or None when no commit has it."""
        if self.last is None:
            return None
        return f"git checkout {self.last.short} -- {self.folder} && {self.then}"


@dataclass(frozen=True)
class RetirePlan:
    """Everything a retirement will change."""

    workspace: Workspace
    retirements: tuple[Retirement, ...]
    mentioning: tuple[str, ...]  # files that still mention a retired folder (left as they are)
    commit: bool
    edited: tuple[str, ...] = ()  # files retire rewrites: the root manifest's mypy lists

    @property
    def names(self) -> list[str]:
        """The retired packages' short names."""
        return [r.package.short for r in self.retirements]

    def commit_message(self) -> str:
        """One line that names the packages, and a body with the way back."""
        body = "\n".join(
            f"- {r.folder}" + (f" (last in {r.last.short})" if r.last else "")
            for r in self.retirements
        )
        return f"Retire {', '.join(self.names)}\n\n{body}\n"


def plan_retire(
    workspace: Workspace, names: list[str], *, allow_dirty: bool = False, commit: bool = False
) -> RetirePlan:
    """Check every precondition and list every change; refuse before anything is written."""
    root = workspace.root
    chosen = workspace.resolve(names)
    wanted = {package.short for package in chosen}
    _refuse_dependents(workspace, chosen, wanted)
    git.require_repository(root, "a retirement cannot keep the package in history")
    retirements = []
    for package in chosen:
        folder = package.path.as_posix()
        reshape.refuse_symlink(root, folder, "retire", "delete")
        if not allow_dirty:
            git.require_clean(
                root,
                [folder],
                folder,
                "commit them first (retiring deletes the folder, and only what is committed "
                "can be brought back), or pass --allow-dirty to delete them too",
            )
        tracked = len(git.tracked(root, folder))
        if commit and not tracked:
            raise ProtoError(
                f"{folder} has never been committed, so --commit has nothing to record",
                "retire it without --commit",
            )
        untracked = len(git.untracked(root, folder))
        retirements.append(Retirement(package, tracked, untracked, git.last_commit(root, folder)))
    if commit and not allow_dirty:
        reshape.require_clean(root, [LOCK], action="retire", commit=True)
    folders = [r.folder for r in retirements]
    mypy = _mypy_lists(workspace, chosen)
    if mypy is not None:  # `proto check --fix` lists them again, and relocks
        retirements = [dataclasses.replace(r, then="proto check --fix") for r in retirements]
    mentioning = [
        path
        for path in git.files_mentioning(root, folders)
        if path != LOCK
        and not reshape.inside(path, folders)
        and not (path == MANIFEST and mypy is not None and not any(f in mypy for f in folders))
    ]
    edited = (MANIFEST,) if mypy is not None else ()
    return RetirePlan(workspace, tuple(retirements), tuple(mentioning), commit, edited)


def _mypy_lists(workspace: Workspace, chosen: list[Package]) -> str | None:
    """The root manifest's text once its mypy lists forget *chosen*, or None when retiring
    them does not change it."""
    gone = {package.short for package in chosen}
    rest = tuple(package for package in workspace.packages if package.short not in gone)
    remaining = dataclasses.replace(workspace, packages=rest)
    names = [workspace.scope.import_name(short) for short in sorted(gone)]
    if not any(entry.stale for entry in typecheck.managed(workspace.config, remaining, names)):
        return None  # checked with tomllib first: tomlkit only when there is an edit
    return typecheck.rendered(remaining, names)


def _refuse_dependents(workspace: Workspace, chosen: list[Package], wanted: set[str]) -> None:
    """Refuse while a package outside *wanted* declares or imports one of them."""
    graph = Graph.of(workspace)
    by_distribution = {normalize(p.distribution): p.short for p in chosen}
    problems: list[str] = []
    fixes: list[str] = []
    for package in workspace.packages:
        if package.short in wanted:
            continue
        for provider in graph.dependencies(package.short):
            if provider in wanted:
                problems.append(f"'{package.short}' depends on '{provider}'")
                fixes.append(f"proto depend {package.short} {provider} --remove")
        for requirement in package.group_requirements:
            grouped = by_distribution.get(requirement_name(requirement) or "")
            if grouped is not None:
                problems.append(f"'{package.short}' has '{grouped}' in a dependency group")
                fixes.append(f"take it out of [dependency-groups] in {package.manifest}")
    if not problems:
        problems, fixes = _importers(workspace, chosen, wanted)
    if problems:
        names = ", ".join(f"'{p.short}'" for p in chosen)
        pronoun = "it" if len(chosen) == 1 else "them"
        steps = [f"`{fix}`" if fix.startswith("proto ") else fix for fix in fixes]
        raise ProtoError(
            f"cannot retire {names} while other packages use {pronoun}: "
            + "; ".join(sorted(set(problems))),
            "free each first: " + "; ".join(dict.fromkeys(steps)),
        )


def _importers(
    workspace: Workspace, chosen: list[Package], wanted: set[str]
) -> tuple[list[str], list[str]]:
    """Files outside the retired packages whose code imports one of them."""
    scope = workspace.scope
    targets = {scope.import_name(p.short): p.short for p in chosen}
    others = [p for p in workspace.packages if p.short not in wanted]
    problems, fixes = [], []
    sources = select.python_sources(workspace)
    for package, _part, rel, found in imports.scan(workspace, sources, others):
        for module, line in found:
            target = imports.owner(module, targets)
            if target is not None:
                problems.append(f"{rel} line {line} imports {scope.import_name(target)}")
                fixes.append(f"remove that import from {package.short}")
    return problems, fixes


@dataclass
class RetireResult:
    """What a retirement changed."""

    plan: RetirePlan
    committed: bool
    edited: list[str]  # the root manifest, when its mypy lists changed


def apply(plan: RetirePlan) -> RetireResult:
    """Carry the plan out as one transaction; the folders are deleted once it is done."""
    root = plan.workspace.root
    with scratch.folder(root, SCRATCH_PREFIX) as trash, changing(root, index=True) as change:
        for retirement in plan.retirements:
            folder = root / retirement.folder
            change.discard(folder, trash, with_git=bool(retirement.tracked))
        gone = [plan.workspace.scope.import_name(r.package.short) for r in plan.retirements]
        mypy = typecheck.sync(change, root, gone)  # the root's mypy lists forget the packages
        change.relock()
        committed = False
        if plan.commit:
            paths = [r.folder for r in plan.retirements if r.tracked] + [LOCK]
            paths += [MANIFEST] if mypy else []
            committed = reshape.commit(change, plan.commit_message(), paths, "retirement")
    return RetireResult(plan, committed, [MANIFEST] if mypy else [])
