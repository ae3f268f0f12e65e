"""Which packages a command acts on: named ones, every one, or those affected by the changes
since a git ref (changed, or depending on something changed).

A change inside `seeds/NAME/` or `core/NAME/` touches that package; a stage-wide file
(`seeds/ruff.toml`) touches its stage; a workspace-wide file (root manifest, noxfile, CI config,
`.python-version`) touches every package, except that a root manifest change to only the mypy
lists proto keeps touches only the packages whose entries changed; a change to `uv.lock`
touches only the packages whose locked dependencies (transitively) changed. Dependents are
added transitively.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from seedbed.effects import git, typecheck
from seedbed.errors import InvalidInputError, ProtoError
from seedbed.model import imports, lockfile
from seedbed.model.graph import Graph
from seedbed.model.workspace import LOCK, MANIFEST, PYTHON_PIN, STAGE_DIRS, Package, Workspace

WORKSPACE_WIDE = (MANIFEST, "noxfile.py", PYTHON_PIN)
WORKSPACE_WIDE_PREFIXES = (".github/",)


@dataclass(frozen=True)
class Selection:
    """The affected packages, each with why."""

    base: str | None  # the merge-base commit, None with --all
    reasons: dict[str, str]  # short name -> "changed" | "dependent" | "workspace" | "lock" | "all"
    ref: str | None = None  # the ref compared with, None with --all
    warning: tuple[str, str] | None = None  # why it may not be the answer wanted; what to do

    def names(self, graph: Graph) -> list[str]:
        """Affected packages, providers before consumers (the packages of a cycle together;
        `proto check` names the cycle)."""
        return graph.order(self.reasons, cycles=True)

    def packages(self, workspace: Workspace) -> list[Package]:
        """The affected packages, sorted by name."""
        return [p for p in workspace.packages if p.short in self.reasons]


def default_ref(root: Path) -> str:
    """The upstream default branch: origin/HEAD, else origin/main or origin/master; else HEAD."""
    git.require_repository(root, "nothing can be compared with an earlier commit")
    out = git.run_git(["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"], root, ok=(0, 1))
    if out.strip():
        return out.strip().removeprefix("refs/remotes/")
    for candidate in ("origin/main", "origin/master"):
        if git.rev_parse(root, candidate):
            return candidate
    return "HEAD"


EVERY = "pass --all to select every package"  # how most commands select all instead


def merge_base(workspace: Workspace, ref: str, every: str = EVERY) -> str:
    """The merge-base of *ref* and HEAD, or an error that says how to get it (*every*: how
    the command selects every package instead)."""
    root = workspace.root
    known = git.rev_parse(root, f"{ref}^{{commit}}")
    if not known and ref == "HEAD":
        raise ProtoError(
            "the repository has no commits yet, so nothing can have changed since one",
            f"commit the workspace first, or {every}",
        )
    shallow = is_shallow(root)
    fetch = "fetch more history (`git fetch --unshallow`, or a larger `fetch-depth`)"
    if not known:
        if shallow and _may_be_beyond_history(root, ref):
            raise ProtoError(
                f"'{ref}' is not in this shallow clone",
                f"{fetch}, or {every}",
            )
        raise InvalidInputError(
            f"'{ref}' is not a commit, branch or tag here",
            "check the name (`git branch -a`"
            + (
                "; a shallow clone has only the branches it fetched: "
                "`git fetch --unshallow origin BRANCH`"
                if shallow
                else ""
            )
            + f"), or {every}",
        )
    base = git.run_git(["merge-base", ref, "HEAD"], root, ok=(0, 1)).strip()
    if not base:
        raise ProtoError(
            f"'{ref}' and HEAD have no common history here"
            + (" (this is a shallow clone)" if shallow else ""),
            f"{fetch}, or {every}" if shallow else every,
        )
    return base


def is_shallow(root: Path) -> bool:
    """Whether the repository is a shallow clone (history cut off below some commits)."""
    return git.run_git(["rev-parse", "--is-shallow-repository"], root).strip() == "true"


def _may_be_beyond_history(root: Path, ref: str) -> bool:
    """Whether *ref*, which names no commit here, may name one that a shallow clone cut off:
    a commit id, or a walk back from a name that exists (`HEAD~3`, `origin/main^`). A name
    that exists nowhere (`totally-bogus-ref`) is simply not a ref."""
    name = re.split(r"[~^]", ref, maxsplit=1)[0]
    if name != ref:
        return git.rev_parse(root, f"{name}^{{commit}}") is not None
    return re.fullmatch(r"[0-9a-fA-F]{4,64}", ref) is not None


def fallback_warning(root: Path, every: str = EVERY) -> tuple[str, str]:
    """What to say (and what to do) when there is no upstream branch to compare with, so
    the comparison is with HEAD."""
    if is_shallow(root):
        return (
            "compared with HEAD, since this shallow clone has no origin/HEAD, origin/main or "
            "origin/master: only uncommitted changes count",
            "fetch the base branch with its history (`git fetch --unshallow origin main`) and "
            f"pass --since origin/main, or {every}",
        )
    return (
        "compared with HEAD, since there is no origin/HEAD, origin/main or origin/master: "
        "only uncommitted changes count",
        f"pass --since REF (a branch, tag or commit), or {every}",
    )


def changed_files(workspace: Workspace, base: str) -> list[str]:
    """Files that differ between *base* and the work tree (committed, staged, unstaged,
    untracked); renames count as both their old and their new path."""
    root = workspace.root
    # --relative: paths relative to the workspace root, even when the repository's top is above
    diff = git.run_git(
        ["diff", "--name-only", "--no-renames", "--relative", "-z", base, "--"], root
    )
    untracked = git.run_git(["ls-files", "--others", "--exclude-standard", "-z"], root)
    return sorted({path for path in (diff + untracked).split("\0") if path})


def _package_of(path: str, stage_dirs: set[str]) -> tuple[str, str] | None:
    """(stage dir, folder name) for a path inside a package folder."""
    parts = path.split("/")
    if len(parts) >= 3 and parts[0] in stage_dirs:
        return parts[0], parts[1]
    return None


def since(workspace: Workspace, base: str, graph: Graph, ref: str | None = None) -> Selection:
    """What a change since the commit *base* (the merge-base with *ref*) affects."""
    names = set(graph.packages)
    reasons: dict[str, str] = {}
    stage_dirs = set(STAGE_DIRS.values())
    stage_of_dir = {dirname: stage for stage, dirname in STAGE_DIRS.items()}
    for path in changed_files(workspace, base):
        inside = _package_of(path, stage_dirs)
        if inside is not None:
            if inside[1] in names:
                reasons[inside[1]] = "changed"
        elif path == MANIFEST:
            touched = manifest_affected(workspace, base)
            if touched is None:  # a change to settings every package shares
                return Selection(base, dict.fromkeys(sorted(names), "workspace"), ref)
            for name in touched & names:
                reasons.setdefault(name, "workspace")
        elif path in WORKSPACE_WIDE or path.startswith(WORKSPACE_WIDE_PREFIXES):
            return Selection(base, dict.fromkeys(sorted(names), "workspace"), ref)
        elif path.split("/")[0] in stage_dirs:  # a stage-wide file, e.g. seeds/ruff.toml
            stage = stage_of_dir[path.split("/")[0]]
            for name, package in graph.packages.items():
                if package.stage == stage:
                    reasons.setdefault(name, "workspace")
        elif path == LOCK:
            for name in lock_affected(workspace, base):
                reasons.setdefault(name, "lock")
    for name in sorted(graph.dependents_closure(reasons)):
        reasons.setdefault(name, "dependent")
    return Selection(base, dict(sorted(reasons.items())), ref)


def manifest_affected(workspace: Workspace, base: str) -> set[str] | None:
    """The packages a change to the root pyproject.toml reaches: only those whose entries in
    the mypy lists proto keeps changed (a package added, moved or graduated), or None when
    anything else changed, which reaches every package."""
    old_text = git.run_git(["show", f"{base}:./{MANIFEST}"], workspace.root, ok=(0, 128))
    try:
        old = tomllib.loads(old_text)
    except tomllib.TOMLDecodeError:
        return None
    old_rest, old_entries = typecheck.package_entries(old, workspace)
    new_rest, new_entries = typecheck.package_entries(workspace.config, workspace)
    if not old_text or old_rest != new_rest:
        return None
    changed = old_entries.keys() ^ new_entries.keys()
    return {({**old_entries, **new_entries})[entry] for entry in changed}


def lock_affected(workspace: Workspace, base: str) -> set[str]:
    """Workspace packages whose locked dependency closure differs between *base* and now."""
    old = git.run_git(["show", f"{base}:./{LOCK}"], workspace.root, ok=(0, 128))
    new_path = workspace.root / LOCK
    shorts = {p.distribution: p.short for p in workspace.packages}
    if not new_path.is_file() or not old:
        return set(shorts.values())
    new = new_path.read_text(encoding="utf-8")
    return {shorts[name] for name in lockfile.reached_by_change(old, new, shorts)}


def every(workspace: Workspace) -> Selection:
    """Every package (`--all`)."""
    return Selection(None, {p.short: "all" for p in workspace.packages})


def affected(
    workspace: Workspace,
    ref: str | None,
    graph: Graph,
    *,
    all_packages: bool = False,
    every_hint: str = EVERY,
) -> Selection:
    """What changed since *ref* (default: the upstream default branch), or every package."""
    if all_packages:
        return every(workspace)
    if ref is not None:
        return since(workspace, merge_base(workspace, ref, every_hint), graph, ref)
    ref = default_ref(workspace.root)
    selection = since(workspace, merge_base(workspace, ref, every_hint), graph, ref)
    if ref == "HEAD":  # nothing upstream to compare with: say so rather than guess
        return replace(selection, warning=fallback_warning(workspace.root, every_hint))
    return selection


@dataclass(frozen=True)
class Chosen:
    """The packages a command line chose (None: it chose none), and a warning (message,
    hint) about how, when --affected had nothing upstream to compare with."""

    packages: list[Package] | None
    warning: tuple[str, str] | None = None


def chosen(
    workspace: Workspace,
    names: list[str],
    *,
    ref: str | None = None,
    use_affected: bool = False,
    all_packages: bool = False,
    every_hint: str = EVERY,
) -> Chosen:
    """The packages named, every package (`--all`), or those affected since *ref*
    (`--affected`); None when nothing was asked for. Contradictory options are refused;
    *every_hint* says how the command selects every package."""
    if all_packages and (names or use_affected):
        raise InvalidInputError("--all goes without names and --affected")
    if use_affected and names:
        raise InvalidInputError("name packages or pass --affected, not both")
    if ref is not None and not use_affected:
        raise InvalidInputError("--since goes with --affected")
    if all_packages:
        return Chosen(list(workspace.packages))
    if use_affected:
        found = affected(workspace, ref, Graph.of(workspace), every_hint=every_hint)
        return Chosen(found.packages(workspace), found.warning)
    return Chosen(workspace.resolve(names) if names else None)


def python_sources(workspace: Workspace) -> imports.Sources:
    """The Python files the commands read (every .py under a package's src/ or tests/,
    relative to the root) with their blob ids when unchanged: one git listing, or a walk where
    the workspace is not a git repository."""
    if git.is_repository(workspace.root):
        return git.blobs(workspace.root, imports.PATTERNS)
    return imports.walked_sources(workspace)
