"""`proto update`: bring the workspace root and its packages to the current template versions
with Copier's 3-way update, keeping the team's own edits.

Copier renders the old template version into the tree it updates, so the update runs in a
throw-away worktree of HEAD and only its result is carried over to the real work tree, in one
journaled step. Copier diffs the whole repository at its top, so updates run in a strict order
with clean-up in between (verified against copier 9.19): the work tree must be clean; the root
goes first, then each package; after each step, conflicted paths are taken out of the index (or
the next step would fail) and files a step deleted are deleted again (or the next step brings
them back). In the real index the conflicts are unmerged, so `git status` shows them.
uv.lock is never rendered by a template; it is regenerated at the end.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedbed.effects import git, scratch, typecheck
from seedbed.effects.transaction import Transaction, changing, interruptible
from seedbed.errors import ProtoError, ToolFailedError
from seedbed.model.workspace import MANIFEST, Workspace, read_text
from seedbed.templating import answers
from seedbed.templating.answers import ANSWERS_FILE
from seedbed.templating.kinds import kind_for_source, latest_git_tag, resolve
from seedbed.templating.source import TEMPLATE_URL, Source, builtin_source
from seedbed.templating.trust import build_risks

CONFLICT_MARKER = "<<<<<<< before updating"
WORKTREE_PREFIX = "proto-update-"


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


def _update_each(
    root: Path, targets: list[Target], *, trust: bool
) -> tuple[list[TargetResult], list[str]]:
    """Update each target in order in the work tree at *root*, with the clean-up Copier needs
    between steps; return the results and the unmerged index entries (`git ls-files -u`
    lines, repository-relative) that the conflicts left."""
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
    return results, unmerged


def _attribute_changes(root: Path, workspace: Workspace, results: list[TargetResult]) -> None:
    """Sort the files changed in the work tree at *root* by the target they belong to, and
    find the conflicts."""
    package_dirs = {p.path.as_posix(): p.short for p in workspace.packages}
    by_name = {result.target.name: result for result in results}
    for change in git.status(root):
        path = change.path
        parts = path.split("/")
        owner = package_dirs.get("/".join(parts[:2]), "workspace")
        result = by_name.get(owner)
        if result is None:
            continue
        result.changed.append(path)
        text_path = root / path
        if text_path.is_file() and CONFLICT_MARKER in (read_text(text_path) or ""):
            result.conflicts.append(path)
    for result in results:
        if result.conflicts:
            result.status = "conflicts"


def _refuse_risky_builds(tree: Path, results: list[TargetResult], *, trust: bool) -> None:
    """Without --trust, an updated team-kind package may not have gained a build that runs
    code from its template (the relock would run it)."""
    for result in results:
        target = result.target
        if trust or target.path == "." or target.source.url == TEMPLATE_URL:
            continue
        risks = build_risks(tree / target.path)
        if risks:
            raise ProtoError(
                f"the updated template of {target.name} makes a package whose build would run "
                f"code from the template: {'; '.join(risks)}; nothing was updated",
                "pass --trust if you trust where this template comes from",
            )


def _relock(transaction: Transaction, results: list[TargetResult]) -> str | None:
    """Regenerate uv.lock (and the package lists in the root's mypy settings, which a
    template update may have brought) after the update; the reason it was not done, or None."""
    if not any(r.status != "current" for r in results):
        return None
    if any(path.endswith(MANIFEST) for r in results for path in r.conflicts):
        return "a pyproject.toml has conflicts: resolve them, then run `uv lock`"
    typecheck.sync(transaction, transaction.root)
    try:
        transaction.relock()
    except ToolFailedError as error:
        return f"{error.message}; run `uv lock` once that is fixed"
    return None


def apply(
    workspace: Workspace, targets: list[Target], *, dry_run: bool, trust: bool
) -> tuple[list[TargetResult], str | None]:
    """Render and merge every target in a scratch worktree, then (unless *dry_run*) carry the
    result over to the real work tree in one journaled step, conflicts unmerged in the index,
    and relock. An interruption never exposes a half-rendered package.

    Returns the per-target results and why uv.lock was not regenerated (None when it was,
    or when nothing needed it).
    """
    root = workspace.root
    with interruptible(), scratch.worktree(root, "HEAD", WORKTREE_PREFIX) as tree:
        results, unmerged = _update_each(tree, targets, trust=trust)
        _refuse_risky_builds(tree, results, trust=trust)
        _attribute_changes(tree, workspace, results)
        if dry_run:
            return results, None
        changed = [path for c in git.status(tree) for path in (c.path, c.original) if path]
        with changing(root, index=True) as transaction:
            for path in changed:
                source = tree / path
                if source.is_file():
                    transaction.write_bytes(root / path, source.read_bytes())
                    (root / path).chmod(source.stat().st_mode)
                else:
                    transaction.remove(root / path)
            if unmerged:
                paths = sorted({entry.split("\t", 1)[1] for entry in unmerged})
                index_info = "".join(f"0 {'0' * 40}\t{path}\n" for path in paths)
                index_info += "".join(f"{entry}\n" for entry in unmerged)
                git.run_git(["update-index", "--index-info"], git.toplevel(root), input=index_info)
            problem = _relock(transaction, results)
    return results, problem
