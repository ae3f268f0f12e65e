"""`proto affected`: the packages changed since a git ref, plus everything that depends on them.

A change inside `seeds/NAME/` or `core/NAME/` touches that package; a stage-wide file
(`seeds/ruff.toml`) touches its stage; a workspace-wide file (root manifest, noxfile, CI config,
`.python-version`) touches every package; a change to `uv.lock` touches only the packages whose
locked dependencies (transitively) changed. Dependents are added transitively.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedbed import git
from seedbed.errors import InvalidInputError, ProtoError
from seedbed.graph import CycleError, Graph
from seedbed.names import normalize
from seedbed.workspace import STAGE_DIRS, Package, Workspace

WORKSPACE_WIDE = ("pyproject.toml", "noxfile.py", ".python-version")
WORKSPACE_WIDE_PREFIXES = (".github/",)
LOCK = "uv.lock"
GITHUB_MATRIX_LIMIT = 256


@dataclass(frozen=True)
class Selection:
    """The affected packages, each with why."""

    base: str | None  # the merge-base commit, None with --all
    reasons: dict[str, str]  # short name -> "changed" | "dependent" | "workspace" | "lock" | "all"

    def names(self, graph: Graph) -> list[str]:
        """Affected packages, providers before consumers."""
        try:
            return graph.order(self.reasons)
        except CycleError:  # still report them all; `proto check` names the cycle
            return sorted(self.reasons)


def default_ref(root: Path) -> str:
    """The upstream default branch: origin/HEAD, else origin/main or origin/master; else HEAD."""
    if not git.is_repository(root):
        raise ProtoError(
            f"{root} is not a git repository", "proto affected compares git history; `git init`"
        )
    out = git.run_git(["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"], root, ok=(0, 1))
    if out.strip():
        return out.strip().removeprefix("refs/remotes/")
    for candidate in ("origin/main", "origin/master"):
        found = git.run_git(["rev-parse", "--verify", "--quiet", candidate], root, ok=(0, 1))
        if found.strip():
            return candidate
    return "HEAD"


def merge_base(workspace: Workspace, ref: str) -> str:
    """The merge-base of *ref* and HEAD, or an error that says how to get it."""
    root = workspace.root
    known = git.run_git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root, ok=(0, 1))
    if not known.strip() and ref == "HEAD":
        raise ProtoError(
            "the repository has no commits yet, so nothing can have changed since one",
            "commit the workspace first, or pass --all to select every package",
        )
    shallow = git.run_git(["rev-parse", "--is-shallow-repository"], root).strip() == "true"
    fetch = "fetch more history (`git fetch --unshallow`, or a larger `fetch-depth`)"
    if not known.strip():
        if shallow:
            raise ProtoError(
                f"'{ref}' is not in this shallow clone",
                f"{fetch}, or pass --all to select every package",
            )
        raise InvalidInputError(
            f"'{ref}' is not a commit, branch or tag here",
            "check the name (`git branch -a`), or pass --all to select every package",
        )
    base = git.run_git(["merge-base", ref, "HEAD"], root, ok=(0, 1)).strip()
    if not base:
        raise ProtoError(
            f"'{ref}' and HEAD have no common history here"
            + (" (this is a shallow clone)" if shallow else ""),
            f"{fetch}, or pass --all to select every package"
            if shallow
            else "pass --all to select every package",
        )
    return base


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


def select(workspace: Workspace, base: str) -> Selection:
    """What a change since *base* affects."""
    graph = Graph.of(workspace)
    names = set(graph.packages)
    reasons: dict[str, str] = {}
    stage_dirs = set(STAGE_DIRS.values())
    stage_of_dir = {dirname: stage for stage, dirname in STAGE_DIRS.items()}
    for path in changed_files(workspace, base):
        inside = _package_of(path, stage_dirs)
        if inside is not None:
            if inside[1] in names:
                reasons[inside[1]] = "changed"
        elif path in WORKSPACE_WIDE or path.startswith(WORKSPACE_WIDE_PREFIXES):
            return Selection(base, dict.fromkeys(sorted(names), "workspace"))
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
    return Selection(base, dict(sorted(reasons.items())))


def affected(workspace: Workspace, since: str | None, *, every: bool = False) -> Selection:
    """What changed since *since* (default: the upstream default branch), or every package."""
    if every:
        return select_all(workspace)
    return select(workspace, merge_base(workspace, since or default_ref(workspace.root)))


def report(workspace: Workspace, selection: Selection) -> dict[str, Any]:
    """The `--format json` report: the base commit and each package with why it is in."""
    by_name = {p.short: p for p in workspace.packages}
    return {
        "base": selection.base,
        "packages": [
            {
                "name": name,
                "distribution": by_name[name].distribution,
                "path": by_name[name].path.as_posix(),
                "stage": by_name[name].stage,
                "reason": selection.reasons[name],
            }
            for name in sorted(selection.reasons)
        ],
    }


def select_all(workspace: Workspace) -> Selection:
    """Every package (`--all`)."""
    return Selection(None, {p.short: "all" for p in workspace.packages})


def lock_affected(workspace: Workspace, base: str) -> set[str]:
    """Workspace packages whose locked dependency closure differs between *base* and now."""
    root = workspace.root
    old_text = git.run_git(["show", f"{base}:./{LOCK}"], root, ok=(0, 128))
    new_path = root / LOCK
    if not new_path.is_file() or not old_text:
        return {p.short for p in workspace.packages}
    try:
        old_data = tomllib.loads(old_text)
        new_data = tomllib.loads(new_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError:
        return {p.short for p in workspace.packages}
    old, new = _locked(old_data), _locked(new_data)
    changed = {name for name in old.keys() | new.keys() if old.get(name) != new.get(name)}
    tools = set()
    for lock, data in ((old, old_data), (new, new_data)):
        for name in _root_groups(data):
            tools |= _closure(lock, name)
    if changed & tools:  # the workspace's dev tools (pytest, ruff, ...) changed: everything
        return {p.short for p in workspace.packages}
    affected = set()
    for package in workspace.packages:
        start = normalize(package.distribution)
        if any(_closure(lock, start) & changed for lock in (old, new)):
            affected.add(package.short)
    return affected


Locked = dict[str, tuple[str, tuple[str, ...]]]


def _locked(data: dict[str, Any]) -> Locked:
    """name -> (version and source, dependency names) for every package in a uv.lock."""
    entries: Locked = {}
    for entry in data.get("package", []):
        name = normalize(str(entry.get("name", "")))
        deps = [d.get("name", "") for d in entry.get("dependencies", [])]
        for group in ("optional-dependencies", "dev-dependencies"):
            for items in entry.get(group, {}).values():
                deps += [d.get("name", "") for d in items]
        identity = f"{entry.get('version', '')} {sorted(entry.get('source', {}).items())}"
        entries[name] = (identity, tuple(sorted({normalize(d) for d in deps})))
    return entries


def _root_groups(data: dict[str, Any]) -> set[str]:
    """Names in the virtual root's dependency groups (uv.lock's [manifest])."""
    groups = data.get("manifest", {}).get("dependency-groups", {})
    names = set()
    for requirements in groups.values():
        for requirement in requirements:
            if isinstance(requirement, dict) and "name" in requirement:
                names.add(normalize(str(requirement["name"])))
    return names


def _closure(lock: Locked, start: str) -> set[str]:
    seen = {start}
    stack = [start]
    while stack:
        for dep in lock.get(stack.pop(), ("", ()))[1]:
            if dep not in seen:
                seen.add(dep)
                stack.append(dep)
    return seen


def matrices(workspace: Workspace, names: list[str]) -> list[dict[str, list[dict[str, str]]]]:
    """GitHub Actions `strategy.matrix` objects, at most 256 entries each."""
    by_name = {p.short: p for p in workspace.packages}
    include = [
        {
            "name": name,
            "path": by_name[name].path.as_posix(),
            "stage": by_name[name].stage,
            "distribution": by_name[name].distribution,
        }
        for name in names
    ]
    chunks = [
        include[start : start + GITHUB_MATRIX_LIMIT]
        for start in range(0, len(include), GITHUB_MATRIX_LIMIT)
    ]
    return [{"include": chunk} for chunk in chunks] or [{"include": []}]


def targets(
    workspace: Workspace, names: list[str], since: str | None, use_affected: bool
) -> list[Package]:
    """The packages a command acts on: the named ones, or with --affected those changed since
    *since* (default: the upstream default branch) plus their dependents."""
    if use_affected and names:
        raise InvalidInputError("name packages or pass --affected, not both")
    if use_affected:
        chosen = affected(workspace, since).reasons
        return [p for p in workspace.packages if p.short in chosen]
    if since is not None:
        raise InvalidInputError("--since goes with --affected")
    if not names:
        raise InvalidInputError("name at least one package, or pass --affected")
    found = []
    for name in names:
        package = workspace.get(name)
        if package not in found:
            found.append(package)
    return found
