"""Which commits can change a task's result on a package: of the commits on the first-parent
history between two commits, those that change what the task's cache key covers (`keys.py`).

A commit can change the result on package P when it changes

- a file of P, or of a workspace package P depends on (declared dependencies and dependency
  groups, transitively; the dependencies as the commit before and the commit itself declare
  them, so a commit that adds or drops a dependency counts, and so does a change to a package
  only while P depends on it);
- a file of P's stage profile (`seeds/ruff.toml` for a seed), or `.python-version`;
- the root pyproject.toml in anything but the mypy package lists proto keeps for other
  packages (a new seed elsewhere is not a change to P);
- uv.lock, only where the locked closure of P differs, or the root's dev tools do
  (`lockfile.reached_by_change`).

Everything else (README.md, CI files, other packages) cannot change the result, so the sheriff
never runs the task there. The history is read with git alone (`git log`, `git cat-file`): no
checkout, nothing run.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from seedbed.effects import githistory, typecheck
from seedbed.model.graph import reach
from seedbed.model.lockfile import reached_by_change
from seedbed.model.names import normalize, requirement_name
from seedbed.model.workspace import LOCK, MANIFEST, PYTHON_PIN, STAGE_DIRS, Workspace

Changed = tuple[str, tuple[str, ...]]  # a commit and the paths it changes (first parent)


@dataclass(frozen=True)
class Member:
    """A workspace package as one commit has it: its folder, its (normalised) distribution
    name and the names it requires (dependencies and dependency groups, normalised)."""

    folder: str
    distribution: str
    needs: tuple[str, ...] = ()

    @property
    def short(self) -> str:
        """The folder's name."""
        return self.folder.rpartition("/")[2]


def parse_member(folder: str, text: str | None) -> Member:
    """A member from its manifest's text (an unreadable one: a member that needs nothing)."""
    try:
        data = tomllib.loads(text or "")
    except tomllib.TOMLDecodeError:
        data = {}
    project = data.get("project", {}) if isinstance(data.get("project"), dict) else {}
    name = project.get("name")
    requirements = [r for r in project.get("dependencies", []) if isinstance(r, str)]
    groups = data.get("dependency-groups", {})
    for group in groups.values() if isinstance(groups, dict) else ():
        requirements += [r for r in group if isinstance(r, str)] if isinstance(group, list) else []
    needs = {requirement_name(r) for r in requirements} - {None}
    distribution = normalize(name) if isinstance(name, str) else normalize(folder.split("/")[-1])
    return Member(folder, distribution, tuple(sorted(n for n in needs if n)))


def closure_folders(members: dict[str, Member], short: str) -> set[str]:
    """The folders of the package called *short* and of every member it needs, transitively."""
    by_name = {member.distribution: member for member in members.values()}
    start = {m.distribution for m in members.values() if m.short == short}

    def needs(name: str) -> Iterable[str]:
        found = by_name.get(name)
        return [n for n in found.needs if n in by_name] if found else ()

    return {by_name[name].folder for name in start | reach(start, needs)}


def _inside(path: str, folders: set[str]) -> bool:
    return any(path.startswith(f"{folder}/") for folder in folders)


def _is_manifest(path: str) -> bool:
    parts = path.split("/")
    return len(parts) == 3 and parts[0] in STAGE_DIRS.values() and parts[2] == MANIFEST


@dataclass
class Reader:
    """The files of a workspace's commits, read with git (each manifest parsed once)."""

    root: Path
    workspace: Workspace  # names the packages in the root's mypy lists
    _members: dict[str, Member] = field(default_factory=dict)

    def text(self, commit: str, path: str) -> str | None:
        """A file's text at *commit* (None: no such file)."""
        data = githistory.read_files(self.root, commit, [path])[path]
        return None if data is None else data.decode("utf-8", errors="replace")

    def members(self, commit: str) -> dict[str, Member]:
        """Every workspace package at *commit*, by folder."""
        folders = [
            f"{stage}/{name}"
            for stage in STAGE_DIRS.values()
            for name in githistory.subfolders(self.root, commit, stage)
        ]
        manifests = githistory.read_files(self.root, commit, [f"{f}/{MANIFEST}" for f in folders])
        found = {}
        for folder in folders:
            data = manifests[f"{folder}/{MANIFEST}"]
            if data is None:
                continue  # not a member: uv ignores a folder without a manifest
            key = f"{folder}\0{hashlib.sha1(data, usedforsecurity=False).hexdigest()}"
            if key not in self._members:
                self._members[key] = parse_member(folder, data.decode("utf-8", errors="replace"))
            found[folder] = self._members[key]
        return found

    def settings_reach(self, before: str | None, after: str | None, shorts: set[str]) -> bool:
        """Whether a change of the root manifest from *before* to *after* can change a result
        on the packages *shorts*: any change but to other packages' mypy list entries."""
        try:
            old, new = tomllib.loads(before or ""), tomllib.loads(after or "")
        except tomllib.TOMLDecodeError:
            return True
        old_rest, old_entries = typecheck.package_entries(old, self.workspace)
        new_rest, new_entries = typecheck.package_entries(new, self.workspace)
        if old_rest != new_rest:
            return True
        changed = old_entries.keys() ^ new_entries.keys()
        return any({**old_entries, **new_entries}[entry] in shorts for entry in changed)


def candidates(
    changes: Sequence[Changed],
    start: str,
    short: str,
    reader: Reader,
) -> list[str]:
    """The commits of *changes* (oldest first, each after the one before on the first-parent
    history, the first right after *start*) that can change a task's result on the package
    *short*; oldest first."""
    members = reader.members(start)
    before = closure_folders(members, short)
    parent, found = start, []
    for sha, paths in changes:
        after = before
        if any(_is_manifest(path) for path in paths):
            members = reader.members(sha)
            after = closure_folders(members, short)
        folders = before | after
        if _reaches(paths, folders, (parent, sha), short, reader, members):
            found.append(sha)
        parent, before = sha, after
    return found


def _reaches(
    paths: tuple[str, ...],
    folders: set[str],
    commits: tuple[str, str],
    short: str,
    reader: Reader,
    members: dict[str, Member],
) -> bool:
    """Whether a commit (*commits*: its parent, itself) that changes *paths* can change the
    result on *short*, whose closure is in *folders* (see the module's doc)."""
    parent, sha = commits
    stages = {folder.split("/")[0] for folder in folders if folder.endswith(f"/{short}")}
    for path in paths:
        parts = path.split("/")
        if _inside(path, folders) or path == PYTHON_PIN:
            return True
        if len(parts) == 2 and parts[0] in stages:  # the stage's profile
            return True
        if path == MANIFEST:
            shorts = {folder.rpartition("/")[2] for folder in folders}
            if reader.settings_reach(reader.text(parent, path), reader.text(sha, path), shorts):
                return True
        if path == LOCK:
            old, new = reader.text(parent, LOCK), reader.text(sha, LOCK)
            own = [m.distribution for f, m in members.items() if f.endswith(f"/{short}")]
            if old is None or new is None or reached_by_change(old, new, own):
                return True
    return False
