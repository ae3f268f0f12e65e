"""The workspace's manifests and uv.lock as parsed before, kept in `.proto/parsed.json` under each
file's size, modification time and inode: a run over 1,000 unchanged packages parses no TOML
(tomllib takes ~0.35 s for 1,000 manifests and ~0.2 s for their uv.lock; this file ~0.02 s).
A file whose stamp differs is parsed again; a cache file that does not read back is ignored."""

from __future__ import annotations

import contextlib
import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedbed.effects import git
from seedbed.errors import ProtoError
from seedbed.model import workspace
from seedbed.model.lockfile import Lock
from seedbed.model.workspace import LOCK, MANIFEST, Package, Stage, Workspace
from seedbed.tasks import files
from seedbed.tasks.state import STATE_DIR, state_dir, write_atomic

CACHE_FILE = "parsed.json"
SCHEMA = "seedbed-parsed/1"


def stamp(path: Path | str) -> list[int] | None:
    """What identifies a version of a file without reading it; None when it is missing."""
    try:
        stat = os.stat(path)  # noqa: PTH116 (a string path: 1,000 of these per run)
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


@dataclass
class Parsed:
    """The cache file of one workspace, read once, written back when something was parsed."""

    root: Path
    manifests: dict[str, Any] = field(default_factory=dict)
    lock: dict[str, Any] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    changed: bool = False
    files: files.Pending | None = None  # the workspace's files, being read

    @classmethod
    def read(cls, root: Path) -> Parsed:
        """The stored parse results, or none when there are none (or they do not read back)."""
        found = cls(root)
        with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
            data = json.loads((root / STATE_DIR / CACHE_FILE).read_bytes())
            if data.get("schema") == SCHEMA:
                found.manifests = dict(data["manifests"])
                found.lock = dict(data["lock"])
        return found

    def package(self, root: Path, folder: Path, stage: Stage) -> Package | None:
        """A member as workspace.load_package reads it, from the cache when its manifest did
        not change."""
        where = f"{folder.parent.name}/{folder.name}"  # string work: 1,000 of these per run
        self.seen.add(where)
        current = stamp(f"{folder}{os.sep}{MANIFEST}")
        if current is None:
            return None
        entry = self.manifests.get(where)
        if entry is not None and entry.get("stamp") == current:
            with contextlib.suppress(KeyError, TypeError, ValueError):
                return _package(entry["package"], Path(where), stage)
        package = workspace.load_package(root, folder, stage)
        if package is not None and _storable(package):
            self.manifests[where] = {"stamp": current, "package": _fields(package)}
            self.changed = True
        return package

    def read_lock(self) -> Lock:
        """uv.lock, parsed (or from the cache); its absence or a syntax error is a refusal."""
        path = self.root / LOCK
        current = stamp(path)
        if current is None:
            raise ProtoError(
                f"{LOCK} is missing, and task environments are made from it", "run `uv lock`"
            )
        if self.lock.get("stamp") == current:
            with contextlib.suppress(KeyError, TypeError, ValueError):
                entries = {name: (str(identity), tuple(deps))
                           for name, (identity, deps) in self.lock["entries"].items()}  # fmt: skip
                groups = {name: frozenset(names) for name, names in self.lock["groups"].items()}
                return Lock(entries, frozenset().union(*groups.values()), groups)
        try:
            lock = Lock.parse(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise ProtoError(
                f"cannot read {LOCK}: {error}", "run `uv lock` to rewrite it"
            ) from error
        self.lock = {
            "stamp": current,
            "entries": {name: [pin, list(deps)] for name, (pin, deps) in lock.entries.items()},
            "groups": {name: sorted(names) for name, names in lock.groups.items()},
        }
        self.changed = True
        return lock

    def save(self) -> None:
        """Write the cache back if anything was parsed (entries of removed packages go)."""
        stale = set(self.manifests) - self.seen
        if not self.changed and not stale:
            return
        manifests = {k: v for k, v in self.manifests.items() if k in self.seen}
        data = {"schema": SCHEMA, "manifests": manifests, "lock": self.lock}
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            write_atomic(state_dir(self.root) / CACHE_FILE, json.dumps(data).encode())


def load(start: Path | None = None) -> tuple[Workspace, Parsed]:
    """The workspace that contains *start* (as workspace.load reads it), and the parse cache,
    for reading uv.lock next; in a git repository, reading its files has started meanwhile
    (`Parsed.files`)."""
    root = workspace.find_root((start or Path.cwd()).resolve())[0]
    parsed = Parsed.read(root)
    if git.is_repository(root):
        parsed.files = files.Pending.start(root)
    found = workspace.load(root, parsed.package)
    return found, parsed


def _fields(package: Package) -> dict[str, Any]:
    return {
        "short": package.short, "distribution": package.distribution,
        "version": package.version, "requirements": list(package.requirements),
        "sources": package.sources, "group_requirements": list(package.group_requirements),
    }  # fmt: skip


def _package(data: dict[str, Any], path: Path, stage: Stage) -> Package:
    return Package(
        short=str(data["short"]), stage=stage, path=path,
        distribution=str(data["distribution"]), version=str(data["version"]),
        requirements=tuple(map(str, data["requirements"])), sources=dict(data["sources"]),
        group_requirements=tuple(map(str, data["group_requirements"])),
    )  # fmt: skip


def _storable(package: Package) -> bool:
    """Only what JSON keeps as it is (a TOML date in a source table would not be)."""
    try:
        return bool(json.loads(json.dumps(package.sources)) == package.sources)
    except (TypeError, ValueError):
        return False
