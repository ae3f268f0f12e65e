"""The write-ahead journal of a command that changes a workspace, and the workspace lock.

Both live in the workspace's state folder: inside the git directory (`.git/seedbed/`, never
committed), or `.proto/` in a workspace that is not a git repository.

- The lock: one writer at a time. A command that changes files holds it from before it plans
  until it is done; a second one waits (saying so) for a bounded time, then refuses. The
  operating system releases it when the holder dies, however it dies.
- The journal: before each change, what is about to change (a file's original bytes and mode,
  a move, a created path, the git index, the branch head) is appended and flushed to disk.
  On any failure the entries are undone in reverse order; after a SIGKILL the journal stays
  behind, every command that changes files refuses, and `proto doctor --fix` undoes it.
  Every undo step is idempotent, so an interrupted undo can simply run again.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from seedbed.effects import git
from seedbed.effects.locks import FileLock
from seedbed.errors import ProtoError

LOCK_TIMEOUT_ENV = "PROTO_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 120.0  # seconds; a relock of thousands of packages takes tens of them


def state_dir(root: Path) -> Path:
    """Where the lock and the journal of the workspace at *root* live."""
    out = git.run_git(
        ["rev-parse", "--path-format=absolute", "--git-path", "seedbed", "--show-prefix"],
        root,
        ok=(0, 128),
    )
    if not out.strip():
        return root / ".proto"
    folder, prefix = [*out.splitlines(), ""][:2]
    # a workspace in a subfolder of a bigger repository gets a folder of its own
    return Path(folder) / (prefix.strip("/").replace("/", "__") or "root")


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) the lock: the process, its command and when it started."""

    pid: int
    command: str
    started: str

    def describe(self) -> str:
        """`proto new gamma` (pid 123, since 12:01:02)."""
        return f"`{self.command}` (pid {self.pid}, since {self.started[11:19]} UTC)"


_held: ContextVar[tuple[Path, Holder] | None] = ContextVar("seedbed_lock", default=None)


def holding(root: Path) -> Holder | None:
    """This process's lock on *root*, if it holds it."""
    held = _held.get()
    return held[1] if held is not None and held[0] == root.resolve() else None


def _read_holder(folder: Path) -> Holder | None:
    try:
        data = json.loads((folder / "holder.json").read_text(encoding="utf-8"))
        return Holder(int(data["pid"]), str(data["command"]), str(data["started"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def command_line() -> str:
    """What the user ran, as they would type it (credentials in URLs hidden)."""
    from seedbed.errors import redact

    return redact(" ".join(["proto", *sys.argv[1:]]))


def running(root: Path) -> Holder | None:
    """The other process that holds the workspace lock right now, if one does."""
    folder = state_dir(root.resolve())
    if holding(root) is not None or not (folder / "lock").exists():
        return None
    lock = FileLock(folder / "lock")
    if not lock.acquire():
        return _read_holder(folder) or Holder(0, "proto (another command)", "?" * 19)
    lock.release()
    return None


@contextmanager
def exclusive(root: Path, *, repairing: bool = False) -> Iterator[Holder]:
    """Hold the workspace lock while the block runs: wait for another writer (saying so on
    stderr) up to PROTO_LOCK_TIMEOUT seconds, then refuse; refuse while an interrupted
    command's journal is there (unless *repairing*: the doctor that undoes it).
    Re-entrant within one process."""
    root = root.resolve()
    held = holding(root)
    if held is not None:
        yield held
        return
    folder = state_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(folder / "lock")
    timeout = float(os.environ.get(LOCK_TIMEOUT_ENV, DEFAULT_LOCK_TIMEOUT))
    if not lock.acquire():
        other = _read_holder(folder)
        who = other.describe() if other else "another proto command"
        print(f"waiting for {who} to finish (up to {timeout:.0f} s)…", file=sys.stderr)
        if not lock.acquire(timeout):
            raise ProtoError(
                f"the workspace is busy: {who} is still changing it",
                f"wait for it to finish and run this again (or set {LOCK_TIMEOUT_ENV} to wait "
                "longer)",
            )
    holder = Holder(os.getpid(), command_line(), datetime.now(UTC).isoformat())
    token = _held.set((root, holder))
    try:
        (folder / "holder.json").write_text(json.dumps(holder.__dict__), encoding="utf-8")
        if not repairing:
            refuse_if_interrupted(root, folder)
        yield holder
    finally:
        _held.reset(token)
        (folder / "holder.json").unlink(missing_ok=True)
        lock.release()


def refuse_if_interrupted(root: Path, folder: Path | None = None) -> None:
    """Refuse (exit 1) while the journal of an interrupted command is there."""
    journal = Journal.find(folder or state_dir(root.resolve()))
    if journal is not None and not journal.done:
        raise ProtoError(
            f"an earlier {journal.holder.describe()} was interrupted and may have left "
            "the workspace half-changed",
            "run `proto doctor` to see what it touched, and `proto doctor --fix` to put "
            "everything back as it was before it",
        )


def _fsync_write(path: Path, data: bytes) -> None:
    with path.open("wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


class Journal:
    """The on-disk record of one command's changes (a folder with a log and the blobs)."""

    def __init__(self, folder: Path, holder: Holder, entries: list[dict[str, Any]]) -> None:
        self.folder = folder
        self.holder = holder
        self.entries = entries

    @property
    def done(self) -> bool:
        """True when there is nothing to undo: the command finished (only its clean-up was cut
        short), or it was stopped before it changed anything."""
        ops = {entry["op"] for entry in self.entries}
        return "done" in ops or not ops - {"begin"}

    @classmethod
    def begin(cls, state: Path, root: Path, holder: Holder) -> Journal:
        """Start the journal of a command (refusing if another one is there)."""
        folder = state / "journal"
        if folder.exists():
            refuse_if_interrupted(root, state)
            shutil.rmtree(folder)  # a finished command's leftovers
        (folder / "blobs").mkdir(parents=True)
        journal = cls(folder, holder, [])
        try:
            journal.append({"op": "begin", "root": str(root), **holder.__dict__})
        except OSError:
            shutil.rmtree(folder, ignore_errors=True)  # no room: nothing was changed
            raise
        return journal

    @classmethod
    def find(cls, state: Path) -> Journal | None:
        """The journal in *state*, if there is one (a torn last line is ignored)."""
        log = state / "journal" / "log.jsonl"
        try:
            lines = log.read_text(encoding="utf-8").splitlines()
        except OSError:
            return None
        entries = []
        for line in lines:
            try:
                entries.append(json.loads(line))
            except ValueError:
                break  # the process died while writing this line; nothing after it happened
        if not entries or entries[0].get("op") != "begin":  # stopped before it began
            return cls(state / "journal", Holder(0, "proto", "?" * 19), [])
        head = entries[0]
        holder = Holder(int(head["pid"]), str(head["command"]), str(head["started"]))
        return cls(state / "journal", holder, entries)

    def append(self, entry: dict[str, Any], blob: bytes | None = None) -> None:
        """Record *entry* (and its blob) durably before the change it describes is made."""
        if blob is not None:
            entry["blob"] = str(len(self.entries))
            _fsync_write(self.folder / "blobs" / entry["blob"], blob)
        with (self.folder / "log.jsonl").open("a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")
            log.flush()
            os.fsync(log.fileno())
        self.entries.append(entry)

    def blob(self, entry: dict[str, Any]) -> bytes | None:
        """The bytes an entry kept (None: the file did not exist)."""
        name = entry.get("blob")
        return None if name is None else (self.folder / "blobs" / str(name)).read_bytes()

    def finish(self) -> None:
        """The command is over (done or undone): mark it, then remove the journal."""
        if not self.done:
            self.append({"op": "done"})
        shutil.rmtree(self.folder, ignore_errors=True)

    def touched(self) -> list[str]:
        """What the command changed, for people: paths, moves and the index."""
        shown = []
        for entry in self.entries:
            op = entry["op"]
            if op in ("keep", "create"):
                shown.append(entry["path"])
            elif op == "move":
                shown.append(f"{entry['source']} -> {entry['target']}")
            elif op == "index":
                shown.append("the git index")
            elif op == "head":
                shown.append(f"{entry['ref']} (was {entry['rev'][:12]})")
        return list(dict.fromkeys(shown))


def age(started: str) -> str:
    """How long ago an ISO time was, for people."""
    try:
        seconds = time.time() - datetime.fromisoformat(started).timestamp()
    except ValueError:
        return "some time ago"
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.0f} h ago"
