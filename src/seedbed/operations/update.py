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

import functools
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedbed.effects import git, typecheck, uv
from seedbed.effects.transaction import changing
from seedbed.errors import ProtoError, ToolFailedError
from seedbed.model.workspace import MANIFEST, Workspace, load, read_text
from seedbed.templating import answers
from seedbed.templating.answers import ANSWERS_FILE
from seedbed.templating.kinds import kind_for_source, latest_git_tag, resolve
from seedbed.templating.source import TEMPLATE_URL, Source, builtin_source

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


def plan_update(
    workspace: Workspace,
    names: list[str],
    template_source: str | None = None,
    *,
    check: bool = False,
) -> list[Target]:
    """The targets to update, root first; refuse when the work tree is not clean (unless
    only checking whether there is anything to update: that changes nothing)."""
    root = workspace.root
    if not check:
        git.require_repository(root, "templates cannot be merged into its history")
        git.require_clean(
            root,
            ["."],
            "the workspace",
            "commit or stash them first, so the update's changes stand on their own",
        )
    chosen = workspace.resolve(names) if names else list(workspace.packages)
    builtin = _Builtin(template_source)
    targets = []
    if not names:
        targets.append(_target(workspace, "workspace", ".", builtin))
    for package in chosen:
        if (root / package.path / ANSWERS_FILE).is_file():
            targets.append(_target(workspace, package.short, package.path.as_posix(), builtin))
        elif names:
            raise ProtoError(
                f"{package.path.as_posix()} has no {ANSWERS_FILE}, "
                "so it was not made from a template"
            )
    return targets


class _Builtin:
    """The built-in templates' source and tags, made once for every target of an update."""

    def __init__(self, override: str | None) -> None:
        self.override = override

    @functools.cached_property
    def source(self) -> Source:
        return builtin_source(self.override)

    @functools.cached_property
    def tags(self) -> set[str]:
        history = self.source.rewrites[TEMPLATE_URL]
        try:
            return git.remote_tags(history)
        except ToolFailedError as error:
            raise ProtoError(
                f"cannot read the templates at {history}: {error.message}",
                "point --template-source at a git repository or bundle of seedbed's templates",
            ) from error


def _target(workspace: Workspace, name: str, path: str, builtin: _Builtin) -> Target:
    answers_file = workspace.root / path / ANSWERS_FILE
    stored = answers.read(answers_file)
    url = str(stored.get("_src_path", ""))
    current = str(stored.get("_commit", ""))
    shown = answers_file.relative_to(workspace.root).as_posix()
    if path == ".":
        data: dict[str, Any] = answers.workspace_update_data(stored)  # what CI installs
    else:
        data = answers.update_data(workspace, workspace.get(name), stored)
    if url == TEMPLATE_URL:
        _check_version_available(builtin, current)
        return Target(name, path, current, builtin.source, data)
    kind = kind_for_source(workspace, url)
    if kind is None:  # a template seedbed does not manage: updated to its latest tag
        _check_updatable(shown, url, current)
        source = Source(url, latest_git_tag(url, shown), {})
    else:
        source = resolve(workspace, kind)
    return Target(name, path, current, source, data)


def _check_updatable(answers_file: str, url: str, current: str) -> None:
    """Copier can update only what records a template it can reach again and the version it
    was made from; say what to do when the answers file lacks either."""
    adopt = (
        f"if it was made from seedbed's templates, record where and from which version: set "
        f"`_src_path: {TEMPLATE_URL}` and `_commit: vX.Y.Z` (that seedbed's version) in "
        f"{answers_file}, commit it, and run `proto update` again"
    )
    if not url:
        raise ProtoError(f"{answers_file} records no template (_src_path)", adopt)
    is_url = "://" in url or url.startswith(("gh:", "gl:")) or re.match(r"[\w.-]+@[\w.-]+:", url)
    if not is_url and not Path(url).is_absolute():
        raise ProtoError(
            f"{answers_file} records the template as {url!r}, a path relative to wherever "
            "Copier ran, which proto update cannot use",
            adopt,
        )
    if not is_url and not Path(url).exists():
        raise ProtoError(
            f"{answers_file} records the template as {url!r}, which is not on this machine",
            adopt,
        )
    if not current:
        raise ProtoError(
            f"{answers_file} records no template version (_commit), so Copier has nothing to "
            f"merge from: {url} was not a git repository's top when it was rendered",
            f"set `_commit:` in {answers_file} to the tag or commit it was made from, commit "
            "it, and run `proto update` again",
        )


def _check_version_available(builtin: _Builtin, current: str) -> None:
    """The version a target was made from must be in the history, or Copier cannot merge."""
    tags, source, override = builtin.tags, builtin.source, builtin.override
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


def available(targets: list[Target]) -> list[Target]:
    """The targets a template update is available for (`proto update --check`)."""
    return [target for target in targets if not target.is_current]


def run(workspace: Workspace, targets: list[Target], *, trust: bool = False) -> list[TargetResult]:
    """Update each target in order, with the clean-up Copier needs between steps."""

    root = workspace.root
    try:
        results = _update_each(root, targets, trust=trust)
    except BaseException:
        # The work tree was clean before (a precondition), so HEAD is exactly what was there.
        git.restore_head(root)
        raise
    _attribute_changes(workspace, results)
    return results


def _update_each(root: Path, targets: list[Target], *, trust: bool) -> list[TargetResult]:
    from seedbed.templating import copier

    top = git.toplevel(root)
    results = []
    deleted: set[str] = set()  # repository-relative, like the unmerged entries
    unmerged: list[str] = []
    for target in targets:
        if target.is_current:
            results.append(TargetResult(target, "current"))
            continue
        try:
            copier.update(root / target.path, target.source, target.data, target.name, trust=trust)
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
        git.run_git(["update-index", "--index-info"], top, input=index_info)
    return results


def _attribute_changes(workspace: Workspace, results: list[TargetResult]) -> None:
    """Sort the changed and conflicted files by the target they belong to."""
    package_dirs = {p.path.as_posix(): p.short for p in workspace.packages}
    by_name = {result.target.name: result for result in results}
    for change in git.status(workspace.root):
        path = change.path
        parts = path.split("/")
        owner = package_dirs.get("/".join(parts[:2]), "workspace")
        result = by_name.get(owner)
        if result is None:
            continue
        result.changed.append(path)
        text_path = workspace.root / path
        conflicted = change.unmerged or (
            text_path.is_file() and CONFLICT_MARKER in (read_text(text_path) or "")
        )
        if conflicted:
            result.conflicts.append(path)
    for result in results:
        if result.conflicts:
            result.status = "conflicts"


def relock(workspace: Workspace, results: list[TargetResult]) -> str | None:
    """Regenerate uv.lock (and the package lists in the root's mypy settings, which a
    template update may have brought) after the update; the reason it was not done, or None."""
    if not any(r.status != "current" for r in results):
        return None
    if any(path.endswith(MANIFEST) for r in results for path in r.conflicts):
        return "a pyproject.toml has conflicts: resolve them, then run `uv lock`"
    with changing(workspace.root) as transaction:
        typecheck.sync(transaction, workspace.root)
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
    toplevel = git.toplevel(workspace.root)
    inner = workspace.root.relative_to(toplevel.resolve())
    with tempfile.TemporaryDirectory(prefix="proto-update-") as scratch:
        tree = Path(scratch) / "tree"
        git.run_git(["worktree", "add", "--quiet", "--detach", str(tree), "HEAD"], toplevel)
        try:
            return run(load(tree / inner), targets, trust=trust)
        finally:
            git.run_git(["worktree", "remove", "--force", str(tree)], toplevel)
