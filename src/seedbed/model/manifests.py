"""The members' manifests, read fast: the few fields seedbed needs from each pyproject.toml,
cached between commands and keyed by the file's (mtime_ns, ctime_ns, size, inode), so a command
parses only the manifests that changed since the last one. Any write, rename or `touch` changes
the key (ctime cannot be set back); a file changed in the last two seconds is not cached, as git
does with "racily clean" entries, since a second write within one clock tick could keep it.

The cache is a stash (`model.stash`: in the git directory, ignored when corrupt or written by
another seedbed version), rewritten when anything changed.
"""

from __future__ import annotations

import marshal
import os
import time
from pathlib import Path
from stat import S_ISREG
from typing import Any

from seedbed.errors import ProtoError
from seedbed.model import stash
from seedbed.model.workspace import MANIFEST, Stage, read_toml

FORMAT = 2
RACY_NS = 2_000_000_000
# name, version, dependencies, [tool.uv.sources], dependency-group requirements
Fields = tuple[str | None, str, tuple[str, ...], dict[str, Any], tuple[str, ...]]


def cache_path(root: Path) -> Path:
    """Where the cache of the workspace at *root* lives."""
    return stash.path(root, "manifests")


def _mapping(data: dict[str, Any], key: str, manifest: Path, prefix: str = "") -> dict[str, Any]:
    """The table at *key* ({} when absent); a non-table is an error that names the file."""
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ProtoError(f"{manifest}: {prefix}{key} must be a table", "fix the file by hand")
    return value


def parse(manifest: Path) -> Fields:
    """The fields seedbed reads from one member's manifest (a ProtoError names the file)."""
    data = read_toml(manifest)
    project = _mapping(data, "project", manifest)
    uv = _mapping(_mapping(data, "tool", manifest), "uv", manifest, "tool.")
    sources = _mapping(uv, "sources", manifest, "tool.uv.")
    groups = _mapping(data, "dependency-groups", manifest)
    dependencies = project.get("dependencies", [])
    if not isinstance(dependencies, list):
        raise ProtoError(f"{manifest}: [project].dependencies must be a list of requirements")
    name = project.get("name")
    version = project.get("version", "")
    return (
        str(name) if name is not None else None,
        version if isinstance(version, str) else "",
        tuple(str(req) for req in dependencies),
        sources,
        tuple(
            req
            for group in groups.values()
            if isinstance(group, list)
            for req in group
            if isinstance(req, str)
        ),
    )


class Cache:
    """Parsed manifests by folder (relative to the root), with the key each was read under."""

    def __init__(self, root: Path) -> None:
        self.path = cache_path(root)
        self.entries: dict[str, tuple[tuple[int, int, int, int], Fields]] = {}
        self.changed = False
        self.now = time.time_ns()
        self.entries = stash.load(self.path, FORMAT)

    def fields(self, relative: str, manifest: str, stat: os.stat_result) -> Fields:
        """The fields of the *manifest* file, from the cache when the file is unchanged."""
        key = (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)
        cached = self.entries.get(relative)
        if cached is not None and tuple(cached[0]) == key:
            return cached[1]
        fields = parse(Path(manifest))
        if self.now - max(stat.st_mtime_ns, stat.st_ctime_ns) < RACY_NS:
            self.changed |= self.entries.pop(relative, None) is not None
            return fields
        try:
            marshal.dumps(fields)  # TOML dates and times are not cacheable
        except ValueError:
            return fields
        self.entries[relative] = (key, fields)
        self.changed = True
        return fields

    def save(self, seen: set[str]) -> None:
        """Write the cache back if anything changed (entries for vanished folders dropped)."""
        gone = self.entries.keys() - seen
        if not self.changed and not gone:
            return
        for relative in gone:
            del self.entries[relative]
        stash.save(self.path, FORMAT, self.entries)


def read_members(root: Path, stage_dirs: dict[Stage, str]) -> list[tuple[Stage, str, Fields]]:
    """(stage, folder relative to the root, fields) of every member in the stage folders,
    sorted by folder name within each stage; folders without a manifest are skipped (uv
    ignores them too). Plain strings, not Paths: at thousands of packages that is measurable."""
    cache = Cache(root)
    found = []
    seen: set[str] = set()
    for stage, dirname in stage_dirs.items():
        try:
            children = sorted(os.scandir(root / dirname), key=lambda entry: entry.name)
        except OSError:
            continue
        for child in children:
            if not child.is_dir():
                continue
            manifest = os.path.join(child.path, MANIFEST)  # noqa: PTH118 (speed)
            try:
                stat = os.stat(manifest)  # noqa: PTH116 (speed: no Path per member)
            except OSError:
                continue
            if not S_ISREG(stat.st_mode):
                continue
            relative = f"{dirname}/{child.name}"
            seen.add(relative)
            found.append((stage, relative, cache.fields(relative, manifest, stat)))
    cache.save(seen)
    return found
