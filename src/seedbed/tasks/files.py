"""The workspace's files as content ids, read once per run: git's blob ids (`git ls-files -s`)
for clean tracked files, the same kind of id computed from the content for modified and
untracked ones; ignored files (and Python's bytecode caches) left out.

Files are grouped by where they live: each package folder (`seeds/NAME`), each stage folder's
own files (`seeds/ruff.toml`: the stage's profile) and the root's files. A group's digest
depends only on the paths inside it and their contents, so it is the same on every machine.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from seedbed.effects import git
from seedbed.model.workspace import STAGE_DIRS

ROOT = ""  # the group of files at the workspace root (and in folders that are no stage)
SKIPPED_PARTS = frozenset({"__pycache__"})
SKIPPED_SUFFIXES = (".pyc", ".pyo")


@dataclass(frozen=True)
class Snapshot:
    """Content ids by group: `groups[folder][path inside it] = id`; what has uncommitted changes
    (staged, unstaged or untracked: package and stage folders by group, root files by path);
    and the commit checked out."""

    groups: dict[str, dict[str, str]]
    dirty: frozenset[str]
    head: str | None

    def digest(self, folder: str) -> str:
        """One id for every file in a group (a package folder, a stage folder or ROOT)."""
        files = self.groups.get(folder, {})
        text = "".join(f"{path}\0{blob}\n" for path, blob in sorted(files.items()))
        return hashlib.sha256(text.encode()).hexdigest()

    def blob(self, folder: str, path: str) -> str | None:
        """The content id of one file of a group, or None when there is no such file."""
        return self.groups.get(folder, {}).get(path)


def group_of(path: str) -> tuple[str, str]:
    """(group, path inside it) for a path relative to the workspace root."""
    parts = path.split("/")
    if parts[0] in STAGE_DIRS.values() and len(parts) >= 2:
        if len(parts) == 2:
            return parts[0], parts[1]
        return f"{parts[0]}/{parts[1]}", "/".join(parts[2:])
    return ROOT, path


def skipped(path: str) -> bool:
    """Bytecode caches never count: running a task writes them."""
    return path.endswith(SKIPPED_SUFFIXES) or not SKIPPED_PARTS.isdisjoint(path.split("/"))


def content_id(root: Path, path: str) -> str | None:
    """The blob id of a file as it is in the work tree (a symlink: its target), or None."""
    full = root / path
    try:
        if full.is_symlink():
            return git.blob_id(str(full.readlink()).encode())
        return git.blob_id(full.read_bytes())
    except OSError:  # gone, or a folder (an untracked nested repository)
        return None


@dataclass
class Pending:
    """The git commands a snapshot needs, started in the background (they take ~0.1 s in a
    workspace of 1,000 packages: overlap them with reading the manifests)."""

    root: Path
    processes: dict[str, subprocess.Popen[str]]

    @classmethod
    def start(cls, root: Path) -> Pending:
        """Start reading the files of the workspace at *root*."""
        commands = {
            "prefix": ["rev-parse", "--show-prefix"],
            "index": git.INDEX_ARGS,
            "status": git.status_args(),
            "head": ["rev-parse", "--verify", "--quiet", "HEAD"],
        }
        return cls(root, {name: git.start_git(args, root) for name, args in commands.items()})

    def close(self) -> None:
        """Stop the commands (the snapshot is not needed after all)."""
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
            process.communicate()

    def result(self) -> Snapshot:
        """The snapshot: the git commands' answers, plus reading the files that differ from
        the index or that git does not track (and does not ignore)."""
        out = {name: git.finish_git(process, ok=(0, 1) if name == "head" else (0,))
               for name, process in self.processes.items()}  # fmt: skip
        blobs = git.parse_index(out["index"])
        dirty: set[str] = set()
        for change in git.parse_status(out["status"], out["prefix"]):
            dirty.add(_dirty_name(change.path))
            if change.untracked or change.unmerged or change.code[1] in "MT":
                found = content_id(self.root, change.path)
                if found is None:
                    blobs.pop(change.path, None)
                else:
                    blobs[change.path] = found
            elif "D" in change.code:
                blobs.pop(change.path, None)
            if change.original is not None:
                dirty.add(_dirty_name(change.original))
        groups: dict[str, dict[str, str]] = defaultdict(dict)
        for path, blob in blobs.items():
            if not skipped(path):
                folder, inside = group_of(path)
                groups[folder][inside] = blob
        return Snapshot(dict(groups), frozenset(dirty), out["head"].strip() or None)


def snapshot(root: Path) -> Snapshot:
    """Read the workspace's files once: four git commands, plus reading the files that differ
    from the index or that git does not track (and does not ignore)."""
    return Pending.start(root).result()


def _dirty_name(path: str) -> str:
    folder = group_of(path)[0]
    return path if folder == ROOT else folder
