"""The task cache: one small JSON record per passing (package, task) result, filed under its
key, in `.proto/cache/` (or `PROTO_CACHE_DIR`).

- Records are written whole (a temporary file, then a rename), so runs that share the cache
  never see half a record; a record that does not read back as one is a miss, never an error.
- Only passes are recorded. A record keeps the commits at which the pass was seen on a clean
  tree (what `proto sheriff` needs: the last commit at which a task passed).
- The cache is bounded (`PROTO_CACHE_MAX_MB`, default 64): after a run that wrote records, the
  least recently used ones go first. Reading a record marks it used.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Protocol

from seedbed import __version__
from seedbed.errors import InvalidInputError
from seedbed.model.workspace import Package
from seedbed.tasks.state import STATE_DIR, ignored_folder, write_atomic

CACHE_DIR_VARIABLE = "PROTO_CACHE_DIR"
MAX_SIZE_VARIABLE = "PROTO_CACHE_MAX_MB"
DEFAULT_MAX_MB = 64
LAYOUT = "v1"  # records live in <cache>/v1/<first two characters of the key>/<key>.json
COMMITS_KEPT = 20
TRIM_TO = 0.8  # a trim leaves the cache at this share of its bound
STALE_TEMPORARY_S = 3600.0


@dataclass(frozen=True)
class Record:
    """A task that passed: which, on what, how long it took, the last lines it printed, the
    files it wrote, and the commits at which it passed on a clean tree (oldest first)."""

    key: str
    package: str
    distribution: str
    stage: str
    task: str
    duration_s: float
    summary: str = ""
    outputs: tuple[str, ...] = ()
    commits: tuple[str, ...] = ()
    created: float = field(default_factory=time.time)
    seedbed: str = __version__

    def seen_at(self, commit: str) -> Record:
        """This record, with *commit* as the newest commit it passed at."""
        commits = (*(c for c in self.commits if c != commit), commit)
        return replace(self, commits=commits[-COMMITS_KEPT:])

    def to_json(self) -> bytes:
        """The record as it is stored."""
        return json.dumps(asdict(self), indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Record | None:
        """A stored record, or None when *data* is not one."""
        try:
            raw = json.loads(data)
            record = cls(
                key=str(raw["key"]), package=str(raw["package"]),
                distribution=str(raw["distribution"]), stage=str(raw["stage"]),
                task=str(raw["task"]), duration_s=float(raw["duration_s"]),
                summary=str(raw.get("summary", "")),
                outputs=tuple(str(p) for p in raw.get("outputs", [])),
                commits=tuple(str(c) for c in raw.get("commits", [])),
                created=float(raw.get("created", 0.0)), seedbed=str(raw.get("seedbed", "")),
            )  # fmt: skip
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
        return record


class Passed(Protocol):
    """What a pass leaves to record (a runner.Outcome)."""

    @property
    def duration_s(self) -> float:
        """Seconds it took."""

    @property
    def summary(self) -> str:
        """The last line of what each command printed."""

    @property
    def outputs(self) -> tuple[str, ...]:
        """The files it wrote, relative to the workspace root."""


def max_bytes_from_environment() -> int:
    """The bound on the cache's size: PROTO_CACHE_MAX_MB (megabytes), default 64."""
    text = os.environ.get(MAX_SIZE_VARIABLE, "").strip()
    if not text:
        return DEFAULT_MAX_MB * 1024 * 1024
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = -1.0
    if megabytes <= 0:
        raise InvalidInputError(
            f"{MAX_SIZE_VARIABLE}={text} is not a positive number of megabytes",
            f"unset it for the default ({DEFAULT_MAX_MB})",
        )
    return int(megabytes * 1024 * 1024)


@dataclass(frozen=True)
class Cache:
    """A cache folder and the bound on its size."""

    folder: Path
    max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024

    @classmethod
    def for_workspace(cls, root: Path) -> Cache:
        """The cache a workspace uses: PROTO_CACHE_DIR if set, else `.proto/cache/`."""
        chosen = os.environ.get(CACHE_DIR_VARIABLE, "").strip()
        folder = Path(chosen).expanduser().absolute() if chosen else root / STATE_DIR / "cache"
        return cls(folder, max_bytes_from_environment())

    def path(self, key: str) -> Path:
        """Where the record for *key* is kept."""
        return self.folder / LAYOUT / key[:2] / f"{key}.json"

    def get(self, key: str) -> Record | None:
        """The record for *key*, or None (missing, unreadable, or not a record for *key*)."""
        path = f"{self.folder}{os.sep}{LAYOUT}{os.sep}{key[:2]}{os.sep}{key}.json"  # = self.path
        try:
            with open(path, "rb") as file:  # noqa: PTH123 (a thousand of these per run)
                data = file.read()
        except OSError:
            return None
        record = Record.from_json(data)
        if record is None or record.key != key:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # used now: the last to be evicted
        return record

    def put(self, record: Record) -> None:
        """Store *record* (replacing any record under its key)."""
        ignored_folder(self.folder)
        write_atomic(self.path(record.key), record.to_json())

    def hit(self, key: str, root: Path) -> Record | None:
        """The recorded pass under *key* for the workspace at *root*, if there is one and the
        files it wrote (for tasks that write some) are still there."""
        record = self.get(key)
        if record is not None and not all((root / p).is_file() for p in record.outputs):
            return None
        return record

    def seen(self, record: Record, commit: str | None) -> None:
        """A cached pass served again on a clean tree at *commit* (None: not clean): keep the
        commit with the record, unless it is already the newest there."""
        if commit and commit not in record.commits[-1:]:
            self.put(record.seen_at(commit))

    def passed(
        self, key: str, package: Package, task: str, outcome: Passed, commit: str | None
    ) -> None:
        """Record a pass of *task* on *package* under *key*, with the commit it passed at when
        every input was clean there (None: it was not)."""
        self.put(Record(
            key, package.short, package.distribution, package.stage, task,
            round(outcome.duration_s, 3), outcome.summary, outcome.outputs,
            (commit,) if commit else (),
        ))  # fmt: skip

    def entries(self) -> Iterator[tuple[Path, os.stat_result]]:
        """Every stored file (records and leftovers of writes) with its stat."""
        top = self.folder / LAYOUT
        with contextlib.suppress(OSError), os.scandir(top) as shards:
            for shard in shards:
                if not shard.is_dir():
                    continue
                with contextlib.suppress(OSError), os.scandir(shard.path) as files:
                    for entry in files:
                        with contextlib.suppress(OSError):
                            yield Path(entry.path), entry.stat()

    def records(self) -> Iterator[Record]:
        """Every record that reads back whole."""
        for path, _ in self.entries():
            if path.suffix == ".json" and not path.name.startswith("."):
                with contextlib.suppress(OSError):
                    record = Record.from_json(path.read_bytes())
                    if record is not None and path.stem == record.key:
                        yield record

    def passing(self, package: str, task: str) -> list[Record]:
        """The records of *task* passing on *package*, the most recently made first."""
        found = [r for r in self.records() if r.package == package and r.task == task]
        return sorted(found, key=lambda r: r.created, reverse=True)

    def size(self) -> int:
        """Bytes the cache's files take."""
        return sum(stat.st_size for _, stat in self.entries())

    def trim(self) -> int:
        """Keep the cache within its bound: remove leftovers of interrupted writes and, while
        it is too big, the least recently used records. Returns how many files went."""
        now = time.time()
        kept: list[tuple[float, int, Path]] = []
        removed = 0
        for path, stat in self.entries():
            if path.name.startswith(".tmp-") and now - stat.st_mtime > STALE_TEMPORARY_S:
                removed += _remove(path)
            else:
                kept.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in kept)
        if total <= self.max_bytes:
            return removed
        for _, size, path in sorted(kept):
            if total <= self.max_bytes * TRIM_TO:
                break
            removed += _remove(path)
            total -= size
        return removed


def _remove(path: Path) -> int:
    try:
        path.unlink()
    except OSError:  # another run removed it first, or it is in use: fine either way
        return 0
    return 1
