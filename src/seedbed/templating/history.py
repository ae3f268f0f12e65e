"""Build the template history: a git repository with one tagged commit per released template
version, so a workspace made by an older seedbed can still be updated 3-way, offline.

Each release tag `vX.Y.Z` of the seedbed repository contributes its `templates/` tree; the
current templates become `v<current version>`. Commits use a fixed identity and the tag's own
date, so the same history builds the same commits on every machine.

This module imports nothing from seedbed: the build hook (`hatch_build.py`) loads it by path to
ship the history inside the wheel as a git bundle, and `seedbed.templating.source` uses it when
seedbed runs from a checkout. That is also why it runs git itself rather than through
`seedbed.effects.git`.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

FIXED_DATE = "2000-01-01T00:00:00+0000"
IDENTITY = {
    "GIT_AUTHOR_NAME": "seedbed",
    "GIT_AUTHOR_EMAIL": "seedbed@invalid",
    "GIT_COMMITTER_NAME": "seedbed",
    "GIT_COMMITTER_EMAIL": "seedbed@invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


class HistoryError(RuntimeError):
    """A git command failed while building the history."""


def git(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run git; return stdout; raise HistoryError with git's message on failure."""
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **IDENTITY, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise HistoryError(f"git {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout.strip()


def _version_key(tag: str) -> tuple[int, ...]:
    parts = []
    for piece in tag.lstrip("v").split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def released_trees(source_repo: Path, subdir: str = "templates") -> list[tuple[str, str, str]]:
    """(tag, tree id, date) of every `v*` tag of *source_repo* that has *subdir*, oldest first."""
    found = []
    for tag in git(["tag", "--list", "v*"], source_repo).split():
        try:
            tree = git(["rev-parse", "--verify", f"{tag}^{{commit}}:{subdir}"], source_repo)
        except HistoryError:
            continue
        date = git(["log", "-1", "--format=%cI", tag], source_repo)
        found.append((tag, tree, date))
    return sorted(found, key=lambda item: _version_key(item[0]))


def build(templates: Path, version: str, out: Path, source_repo: Path | None = None) -> Path:
    """Create the bare repository *out*: released template versions from *source_repo*'s tags,
    then *templates* (the current files) as `v<version>`. Returns *out*."""
    out.mkdir(parents=True)
    git(["init", "--quiet", "--bare", "--initial-branch=main", str(out)], out.parent)
    alternates = out / "objects" / "info" / "alternates"
    releases: list[tuple[str, str, str]] = []
    if source_repo is not None:
        objects = Path(
            git(["rev-parse", "--path-format=absolute", "--git-common-dir"], source_repo)
        )
        alternates.write_text(str(objects / "objects") + "\n")
        releases = released_trees(source_repo)
    current_tag = f"v{version}"
    parent: str | None = None
    for tag, tree, date in releases:
        if tag == current_tag:
            continue  # the current files win the current tag
        parent = _commit(out, tree, parent, f"seedbed templates {tag}", date)
        git(["update-ref", f"refs/tags/{tag}", parent], out)
    with tempfile.TemporaryDirectory() as scratch:
        index = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        work = ["--git-dir", str(out), "--work-tree", str(templates)]
        git([*work, "add", "--all", "--", ".", ":(exclude)**/__pycache__/**"], templates, index)
        tree = git([*work, "write-tree"], templates, index)
    head = _commit(out, tree, parent, f"seedbed templates {current_tag}", FIXED_DATE)
    git(["update-ref", f"refs/tags/{current_tag}", head], out)
    git(["update-ref", "refs/heads/main", head], out)
    if alternates.exists():
        git(["repack", "-a", "-d", "-q"], out)
        alternates.unlink()
    return out


def _commit(repo: Path, tree: str, parent: str | None, message: str, date: str) -> str:
    args = ["commit-tree", tree, "-m", message]
    if parent is not None:
        args += ["-p", parent]
    return git(args, repo, {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date})


def bundle(repo: Path, out_file: Path) -> Path:
    """Write every ref of *repo* into the single-file git bundle *out_file*."""
    git(["bundle", "create", str(out_file), "--all"], repo)
    return out_file


def folder_history(repo: Path, folder: str, out: Path) -> str:
    """Create the bare repository *out* whose history is *folder*'s history in *repo*: one
    commit per first-parent commit of *repo* that changed it, with the original dates, so the
    same workspace history gives the same commits on every machine. Returns the head commit."""
    out.mkdir(parents=True)
    git(["init", "--quiet", "--bare", "--initial-branch=main", str(out)], out.parent)
    objects = Path(git(["rev-parse", "--path-format=absolute", "--git-common-dir"], repo))
    alternates = out / "objects" / "info" / "alternates"
    alternates.write_text(str(objects / "objects") + "\n")
    log = git(["log", "--first-parent", "--reverse", "--format=%H %cI", "HEAD", "--", folder], repo)
    parent: str | None = None
    last_tree = ""
    for line in log.splitlines():
        commit, date = line.split(" ", 1)
        try:
            tree = git(["rev-parse", "--verify", f"{commit}:{folder}"], repo)
        except HistoryError:
            continue  # the folder was deleted in this commit
        if tree != last_tree:
            parent = _commit(out, tree, parent, f"{folder} at {commit[:12]}", date)
            last_tree = tree
    if parent is None:
        raise HistoryError(f"{folder} has no committed history")
    git(["update-ref", "refs/heads/main", parent], out)
    git(["repack", "-a", "-d", "-q"], out)
    alternates.unlink()
    return parent
