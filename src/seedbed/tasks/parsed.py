"""uv.lock as parsed before, stashed (`model.stash`) under the file's size, times and inode: a
run over 1,000 unchanged packages parses no TOML (tomllib takes ~0.2 s for their uv.lock; the
stash ~0.02 s). The manifests have their own cache (`model.manifests`). A lock whose stamp
differs, or that changed in the last two seconds (a second write in the same clock tick could
keep its stamp), is parsed again."""

from __future__ import annotations

import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedbed.effects import git
from seedbed.errors import ProtoError
from seedbed.model import stash, workspace
from seedbed.model.lockfile import Lock
from seedbed.model.workspace import LOCK, Workspace
from seedbed.tasks import files

STASH = "lock"
FORMAT = 1
RACY_NS = 2_000_000_000


def stamp(path: Path) -> tuple[int, int, int, int] | None:
    """What identifies a version of a file without reading it; None when it is missing."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


@dataclass
class Parsed:
    """The workspace's parsed uv.lock (from the stash when unchanged), and its files being
    read in the background."""

    root: Path
    files: files.Pending | None = None  # the workspace's files, being read

    def read_lock(self) -> Lock:
        """uv.lock, parsed (or from the stash); its absence or a syntax error is a refusal."""
        path = self.root / LOCK
        current = stamp(path)
        if current is None:
            raise ProtoError(
                f"{LOCK} is missing, and task environments are made from it", "run `uv lock`"
            )
        where = stash.path(self.root, STASH)
        stored: dict[str, Any] = stash.load(where, FORMAT)
        if stored.get("stamp") == current:
            entries, groups = stored["entries"], stored["groups"]
            return Lock(entries, frozenset().union(*groups.values()), groups)
        try:
            lock = Lock.parse(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise ProtoError(
                f"cannot read {LOCK}: {error}", "run `uv lock` to rewrite it"
            ) from error
        if time.time_ns() - max(current[1], current[2]) >= RACY_NS:
            stash.save(
                where,
                FORMAT,
                {"stamp": current, "entries": lock.entries, "groups": dict(lock.groups)},
            )
        return lock


def load(start: Path | None = None) -> tuple[Workspace, Parsed]:
    """The workspace that contains *start*, and its parsed lock to read next; in a git
    repository, reading its files has started meanwhile (`Parsed.files`)."""
    root = workspace.find_root((start or Path.cwd()).resolve())[0]
    parsed = Parsed(root)
    if git.is_repository(root):
        parsed.files = files.Pending.start(root)
    return workspace.load(root), parsed
