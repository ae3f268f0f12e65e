"""`proto update`: bring the workspace root and its packages to the current template versions
with Copier's 3-way update, keeping the team's own edits.

Copier diffs the whole repository at its top, so updates run in a strict order with clean-up in
between (verified against copier 9.19): the work tree must be clean; the root goes first, then
each package; after each step, conflicted paths are taken out of the index (or the next step
would fail) and files a step deleted are deleted again (or the next step brings them back).
At the end the conflicts are put back into the index, so `git status` shows them as unmerged.
uv.lock is never rendered by a template; it is regenerated at the end.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedbed import __version__, git
from seedbed.errors import ProtoError
from seedbed.kinds import kind_for_source, resolve
from seedbed.templates import ANSWERS_FILE, TEMPLATE_URL, Source, builtin_source
from seedbed.workspace import Package, Workspace, read_text

CONFLICT_MARKER = "<<<<<<< before updating"


@dataclass(frozen=True)
class Target:
    """One subproject to update: the workspace root or a package."""

    name: str  # "workspace" or a package's short name
    path: str  # relative to the workspace root; "." for the root
    current: str  # the template version it was made from (_commit)
    source: Source
    data: dict[str, Any]

    @property
    def wanted(self) -> str | None:
        """The version to update to (None: the template's latest tag)."""
        return self.source.ref

    @property
    def is_current(self) -> bool:
        """True when there is nothing to update (same tag, or the same commit abbreviated)."""
        if self.wanted is None or not self.current:
            return False
        if self.current == self.wanted:
            return True
        short = self.current.removeprefix("g")
        is_hash = len(short) >= 7 and all(c in "0123456789abcdef" for c in short)
        return is_hash and self.wanted.startswith(short)


@dataclass
class TargetResult:
    """What the update did to one target."""

    target: Target
    status: str  # "updated", "current", "conflicts"
    changed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def read_answers(path: Path) -> dict[str, Any]:
    """A Copier answers file."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ProtoError(f"cannot read {path}: {error}") from error
    if not isinstance(data, dict):
        raise ProtoError(f"{path} is not a Copier answers file")
    return data


def plan_update(
    workspace: Workspace, names: list[str], template_source: str | None = None
) -> list[Target]:
    """The targets to update, root first; refuse when the work tree is not clean."""
    root = workspace.root
    if not git.is_repository(root):
        raise ProtoError(f"{root} is not a git repository", "`proto update` needs git history")
    dirty = [line[3:] for line in _status(root) if line]
    if dirty:
        shown = ", ".join(dirty[:8]) + (" …" if len(dirty) > 8 else "")
        raise ProtoError(
            f"the workspace has uncommitted changes: {shown}",
            "commit or stash them first, so the update's changes stand on their own",
        )
    chosen = [workspace.get(name) for name in names] if names else list(workspace.packages)
    targets = []
    if not names:
        targets.append(_target(workspace, "workspace", ".", template_source))
    for package in chosen:
        if (root / package.path / ANSWERS_FILE).is_file():
            targets.append(
                _target(workspace, package.short, package.path.as_posix(), template_source)
            )
        elif names:
            raise ProtoError(
                f"{package.path.as_posix()} has no {ANSWERS_FILE}, "
                "so it was not made from a template"
            )
    return targets


def _status(root: Path) -> list[str]:
    """`git status --porcelain` lines of the workspace, paths relative to the workspace root
    (porcelain paths are relative to the repository's top, which may be above it)."""
    prefix = git.run_git(["rev-parse", "--show-prefix"], root).strip()
    out = git.run_git(["status", "--porcelain=v1", "--untracked-files=all", "--", "."], root)
    return [
        line[:3] + " -> ".join(path.removeprefix(prefix) for path in line[3:].split(" -> "))
        for line in out.splitlines()
    ]


def _target(workspace: Workspace, name: str, path: str, override: str | None) -> Target:
    answers = read_answers(workspace.root / path / ANSWERS_FILE)
    url = str(answers.get("_src_path", ""))
    current = str(answers.get("_commit", ""))
    if path == ".":
        data: dict[str, Any] = {"seedbed_version": __version__}  # CI installs this seedbed
    else:
        data = _package_update_data(workspace, workspace.get(name), answers)
    if url == TEMPLATE_URL:
        source = builtin_source(override)
        _check_version_available(source, current, override)
    else:
        kind = kind_for_source(workspace, url)
        # a template seedbed does not manage is updated to its latest tag
        source = Source(url, None, {}) if kind is None else resolve(workspace, kind)
    return Target(name, path, current, source, data)


def _package_update_data(
    workspace: Workspace, package: Package, answers: dict[str, Any]
) -> dict[str, Any]:
    """What `proto new` gave the template, with the stored answers winning, and the stage the
    package has now (a graduated package updates with the core profile)."""
    from seedbed.scaffold import package_data, workspace_python

    stored = {key: value for key, value in answers.items() if not key.startswith("_")}
    computed = package_data(
        workspace.scope,
        package.short,
        kind=str(stored.get("kind", "lib")),
        stage=package.stage,
        python=workspace_python(workspace.root),
        author=(str(stored.get("author_name", "")), str(stored.get("author_email", ""))),
        description=str(stored.get("description", "")),
    )
    return {**computed, **stored, "stage": package.stage}


def _check_version_available(source: Source, current: str, override: str | None) -> None:
    """The version a target was made from must be in the history, or Copier cannot merge."""
    history = source.rewrites[TEMPLATE_URL]
    listing = subprocess.run(
        ["git", "ls-remote", "--tags", str(history)], capture_output=True, text=True, check=False
    )
    tags = {line.rsplit("/", 1)[-1] for line in listing.stdout.splitlines()}
    if source.ref and source.ref not in tags:
        raise ProtoError(
            f"{override or 'the template history'} has no tag {source.ref} "
            "(the templates of this seedbed)",
            "point --template-source at a git repository of seedbed's templates (copier.yml at "
            "its root) that has that tag",
        )
    if current and current not in tags:
        where = override or "this seedbed's template history"
        raise ProtoError(
            f"this workspace was made with templates {current}, which {where} does not have "
            f"(it has {', '.join(sorted(tags)) or 'none'})",
            "install the seedbed that made it or a newer one, or pass --template-source with a "
            "git repository of the templates that has that tag",
        )


def run(workspace: Workspace, targets: list[Target], *, trust: bool = False) -> list[TargetResult]:
    """Update each target in order, with the clean-up Copier needs between steps."""

    root = workspace.root
    try:
        results = _update_each(root, targets, trust=trust)
    except BaseException:
        # The work tree was clean before (a precondition), so HEAD is exactly what was there.
        git.run_git(["checkout", "--quiet", "HEAD", "--", "."], root)
        git.run_git(["clean", "-fdq", "--", "."], root)
        raise
    _attribute_changes(workspace, results)
    return results


def _update_each(root: Path, targets: list[Target], *, trust: bool) -> list[TargetResult]:
    import copier

    from seedbed.render import copier_session

    top = Path(git.run_git(["rev-parse", "--show-toplevel"], root).strip())
    results = []
    deleted: set[str] = set()  # repository-relative, like the unmerged entries
    unmerged: list[str] = []
    for target in targets:
        if target.is_current:
            results.append(TargetResult(target, "current"))
            continue
        try:
            with copier_session(target.source.rewrites, target.name):
                copier.run_update(
                    str(root / target.path),
                    answers_file=ANSWERS_FILE,
                    data=target.data,
                    vcs_ref=target.source.ref,
                    overwrite=True,
                    defaults=True,
                    quiet=True,
                    conflict="inline",
                    context_lines=3,
                    unsafe=trust,
                )
        except ProtoError as error:
            raise ProtoError(
                f"updating {target.name} ({target.path}) failed, so nothing was updated: "
                f"{error.message}",
                error.hint,
            ) from error
        entries = git.run_git(["ls-files", "-u", "--full-name"], root).splitlines()
        if entries:
            unmerged += entries
            paths = sorted({entry.split("\t", 1)[1] for entry in entries})
            git.run_git(["reset", "-q", "--", *paths], top)
        deleted |= set(git.run_git(["ls-files", "--deleted", "--full-name"], root).split("\n"))
        deleted.discard("")
        for path in deleted:
            (top / path).unlink(missing_ok=True)
        results.append(TargetResult(target, "updated"))
    if unmerged:
        paths = sorted({entry.split("\t", 1)[1] for entry in unmerged})
        index_info = "".join(f"0 {'0' * 40}\t{path}\n" for path in paths)
        index_info += "".join(f"{entry}\n" for entry in unmerged)
        subprocess.run(
            ["git", "update-index", "--index-info"], cwd=top, input=index_info, text=True,
            check=True, capture_output=True,
        )  # fmt: skip
    return results


def _attribute_changes(workspace: Workspace, results: list[TargetResult]) -> None:
    """Sort the changed and conflicted files by the target they belong to."""
    package_dirs = {p.path.as_posix(): p.short for p in workspace.packages}
    by_name = {result.target.name: result for result in results}
    for line in _status(workspace.root):
        path = line[3:].split(" -> ")[-1].strip('"')
        parts = path.split("/")
        owner = package_dirs.get("/".join(parts[:2]), "workspace")
        result = by_name.get(owner)
        if result is None:
            continue
        result.changed.append(path)
        text_path = workspace.root / path
        conflicted = line[:2] in ("UU", "AA", "DU", "UD") or (
            text_path.is_file() and CONFLICT_MARKER in (read_text(text_path) or "")
        )
        if conflicted:
            result.conflicts.append(path)
    for result in results:
        if result.conflicts:
            result.status = "conflicts"


def relock(workspace: Workspace, results: list[TargetResult]) -> str | None:
    """Regenerate uv.lock after the update; the reason it was not done, or None."""
    from seedbed import uv
    from seedbed.errors import ToolFailedError

    if not any(r.status != "current" for r in results):
        return None
    if any(path.endswith("pyproject.toml") for r in results for path in r.conflicts):
        return "a pyproject.toml has conflicts: resolve them, then run `uv lock`"
    try:
        uv.lock(workspace.root)
    except ToolFailedError as error:
        return f"{error.message}; run `uv lock` once that is fixed"
    return None


def apply(
    workspace: Workspace, targets: list[Target], *, dry_run: bool, trust: bool
) -> tuple[list[TargetResult], str | None]:
    """Update (or, for a dry run, preview) the targets; relock after a real update.

    Returns the per-target results and why uv.lock was not regenerated (None when it was,
    or when nothing needed it).
    """
    if dry_run:
        return preview(workspace, targets, trust=trust), None
    results = run(workspace, targets, trust=trust)
    return results, relock(workspace, results)


def preview(workspace: Workspace, targets: list[Target], *, trust: bool) -> list[TargetResult]:
    """Run the update in a throw-away worktree of HEAD (the work tree is clean, so it is the
    same) and report what it would change; the real work tree is not touched."""
    from seedbed.workspace import load

    toplevel = Path(git.run_git(["rev-parse", "--show-toplevel"], workspace.root).strip())
    inner = workspace.root.relative_to(toplevel.resolve())
    with tempfile.TemporaryDirectory(prefix="proto-update-") as scratch:
        tree = Path(scratch) / "tree"
        git.run_git(["worktree", "add", "--quiet", "--detach", str(tree), "HEAD"], toplevel)
        try:
            return run(load(tree / inner), targets, trust=trust)
        finally:
            git.run_git(["worktree", "remove", "--force", str(tree)], toplevel)
