"""All-or-nothing changes to a workspace: on any failure (an exception, Ctrl-C, SIGTERM or
SIGHUP) files, folders, the git index, the branch head and uv.lock are put back exactly as they
were; after a SIGKILL, `proto doctor --fix` does the same from the journal.

Every change goes through a Transaction method that records it in the journal first
(`effects.journal`), so nothing is ever changed that could not be undone.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from seedbed.effects import git, uv
from seedbed.effects.journal import Journal, exclusive, state_dir
from seedbed.errors import Interrupted, ProtoError
from seedbed.model.workspace import LOCK


class RollbackIncompleteError(ProtoError):
    """Some changes could not be undone; the message lists them."""


def inside(root: Path, path: Path) -> Path:
    """*path* made absolute (symlinks not followed), refused unless it lies inside *root*."""
    absolute = Path(os.path.normpath(root / path))
    if not absolute.is_relative_to(root):
        raise ValueError(f"{path} is outside the workspace {root}")
    return absolute


class Transaction:
    """Record what is about to change, then change it; `rollback()` (or any exception in
    `with`) undoes every recorded change, newest first."""

    def __init__(self, root: Path, journal: Journal | None = None) -> None:
        self.root = Path(os.path.normpath(root.absolute()))
        self.journal = journal
        self._entries: list[dict[str, Any]] = []
        self._blobs: dict[int, bytes | None] = {}
        self._kept: set[Path] = set()

    def _record(self, entry: dict[str, Any], blob: bytes | None = None) -> None:
        if self.journal is not None:
            self.journal.append(entry, blob)
        self._blobs[len(self._entries)] = blob
        self._entries.append(entry)

    def _rel(self, path: Path) -> str:
        return inside(self.root, path).relative_to(self.root).as_posix()

    def keep(self, path: Path) -> None:
        """Remember *path*'s bytes and mode (or that it did not exist) before it first changes."""
        absolute = inside(self.root, path)
        if absolute in self._kept:
            return
        self._kept.add(absolute)
        if absolute.is_file() and not absolute.is_symlink():
            mode = stat.S_IMODE(absolute.stat().st_mode)
            entry = {"op": "keep", "path": self._rel(absolute), "mode": mode}
            self._record(entry, absolute.read_bytes())
        else:
            self._record({"op": "keep", "path": self._rel(absolute), "blob": None})

    def make_parents(self, path: Path) -> None:
        """Create the missing folders above *path*, each recorded (removed on rollback)."""
        missing = [p for p in inside(self.root, path).parents if not p.exists()]
        for folder in reversed(missing):
            self.created(folder)
            folder.mkdir()

    def write_bytes(self, path: Path, data: bytes) -> None:
        """Keep *path*, then write *data* to it (making missing folders)."""
        self.keep(path)
        self.make_parents(path)
        Path(path).write_bytes(data)

    def write_text(self, path: Path, text: str) -> None:
        """Keep *path*, then write *text* to it as it is (line endings included)."""
        self.write_bytes(path, text.encode("utf-8"))

    def remove(self, path: Path) -> None:
        """Keep a file, then delete it."""
        self.keep(path)
        Path(path).unlink(missing_ok=True)

    def created(self, path: Path) -> None:
        """Record a file or folder about to be created (removed again on rollback); call it
        before the path appears."""
        self._record({"op": "create", "path": self._rel(path)})

    def move(self, source: Path, target: Path, *, with_git: bool) -> None:
        """Move *source* to *target*: `git mv` (staged as a rename; the index is kept first)
        or a plain rename."""
        self._record({"op": "move", "source": self._rel(source), "target": self._rel(target)})
        if with_git:
            self.keep_index()
            git.move(self.root, self._rel(source), self._rel(target))
        else:
            inside(self.root, source).rename(inside(self.root, target))

    def discard(self, path: Path, trash: Path, *, with_git: bool) -> None:
        """Delete the folder at *path*: with *with_git*, `git rm -r --cached` first (staged as
        deletions; the index is kept), then the folder moves whole into *trash*, a scratch
        folder inside the workspace that the caller removes once the change is done, so a
        rollback (or `proto doctor --fix`) moves it back as it was, ignored files and all."""
        rel = self._rel(path)
        if with_git:
            self.keep_index()
            git.remove_cached(self.root, rel)
        self.move(path, trash / rel.replace("/", "__"), with_git=False)

    def keep_index(self) -> None:
        """Remember the git index (the file itself), if the workspace is a git repository."""
        if any(entry["op"] == "index" for entry in self._entries) or not git.is_repository(
            self.root
        ):
            return
        index = git.git_path(self.root, "index")
        self._record(
            {"op": "index", "path": str(index)}, index.read_bytes() if index.is_file() else None
        )

    def commit(self, message: str, paths: list[str]) -> bool:
        """`git commit` *paths* (the branch head is kept: rollback moves it back); False when
        git has no identity configured."""
        ref = git.run_git(["symbolic-ref", "--quiet", "HEAD"], self.root, ok=(0, 1)).strip()
        rev = git.rev_parse(self.root, "HEAD")
        self.keep_index()
        if rev is not None:
            self._record({"op": "head", "ref": ref or "HEAD", "rev": rev})
        return git.commit(self.root, message, paths)

    def relock(self, upgrade: tuple[str, ...] = ()) -> None:
        """Bring uv.lock in line with the edited manifests (kept first, so it rolls back)."""
        self.keep(self.root / LOCK)
        uv.lock(self.root, upgrade)

    def rollback(self) -> None:
        """Undo every recorded change, newest first; go on past a step that fails and raise
        RollbackIncompleteError listing what could not be restored."""
        problems = undo(self.root, self._entries, self._blobs.__getitem__)
        if problems:
            raise RollbackIncompleteError(
                "the change failed and some of it could not be undone: " + "; ".join(problems),
                "fix what is named (permissions, disk space), then run `proto doctor --fix`",
            )

    def __enter__(self) -> Transaction:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if error is not None:
            with _signals_ignored():
                self.rollback()  # a RollbackIncompleteError replaces the error, chained to it


def undo(
    root: Path, entries: list[dict[str, Any]], blob: Callable[[int], bytes | None]
) -> list[str]:
    """Undo journal *entries* newest first (`blob(n)` gives the bytes entry n kept); return
    what could not be undone. Each step is idempotent."""
    problems = []
    for number in reversed(range(len(entries))):
        entry = entries[number]
        try:
            _undo_one(root, entry, functools.partial(blob, number))
        except (OSError, ValueError, ProtoError) as error:
            what = entry.get("path") or entry.get("target") or entry["op"]
            problems.append(f"{what}: {getattr(error, 'strerror', None) or error}")
    return problems


def _undo_one(root: Path, entry: dict[str, Any], blob: Callable[[], bytes | None]) -> None:
    op = entry["op"]
    if op == "keep":
        _restore(inside(root, Path(entry["path"])), blob(), entry.get("mode"))
    elif op == "create":
        path = inside(root, Path(entry["path"]))
        if path == root:
            return
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
    elif op == "move":
        source, target = inside(root, Path(entry["source"])), inside(root, Path(entry["target"]))
        if target.exists() and not source.exists():
            source.parent.mkdir(parents=True, exist_ok=True)
            target.replace(source)
    elif op == "index":
        _restore(Path(entry["path"]), blob(), None)
    elif op == "head":
        git.run_git(["update-ref", "--no-deref", entry["ref"], entry["rev"]], root)


def _restore(path: Path, content: bytes | None, mode: int | None) -> None:
    """Put a file back as it was (or remove it if it did not exist); a read-only file is
    made writable for the write and gets its mode back."""
    if content is None:
        path.unlink(missing_ok=True)
        return
    if path.is_file() and not path.is_symlink() and path.read_bytes() == content:
        if mode is not None and stat.S_IMODE(path.stat().st_mode) != mode:
            path.chmod(mode)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.is_dir():
        shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    try:
        path.write_bytes(content)
    except PermissionError:
        path.chmod(stat.S_IMODE(path.stat().st_mode) | stat.S_IWUSR)
        path.write_bytes(content)
    if mode is not None:
        path.chmod(mode)


_STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


@contextmanager
def _handling(signals: tuple[int, ...], handler: Any) -> Iterator[None]:  # noqa: ANN401
    """*handler* for *signals* while the block runs (only the main thread can have one)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {signum: signal.signal(signum, handler) for signum in signals}
    try:
        yield
    finally:
        for signum, previous in saved.items():
            signal.signal(signum, previous)


def interruptible() -> AbstractContextManager[None]:
    """SIGTERM and SIGHUP raise Interrupted while the block runs, so they roll back exactly
    like Ctrl-C; a running child (uv, git) is killed by subprocess.run on the way out."""
    return _handling(_STOP_SIGNALS, _raise_interrupted)


def _signals_ignored() -> AbstractContextManager[None]:
    """Finish a rollback even if asked to stop again (Ctrl-C, SIGTERM, SIGHUP)."""
    return _handling((signal.SIGINT, *_STOP_SIGNALS), signal.SIG_IGN)


@contextmanager
def changing(root: Path, *, index: bool = False) -> Iterator[Transaction]:
    """One change to the workspace at *root*, all or nothing and journaled: holds the
    workspace lock, records each change before making it, and on any exception (signals
    included) puts everything back. With *index*, the git index is kept up front."""
    root = Path(os.path.normpath(root.absolute()))
    with exclusive(root) as holder, interruptible():
        journal = Journal.begin(state_dir(root), root, holder)
        try:
            with Transaction(root, journal) as transaction:
                if index:
                    transaction.keep_index()
                yield transaction
        except RollbackIncompleteError:
            raise  # the journal stays, for `proto doctor --fix`
        except BaseException:
            journal.finish()  # fully undone
            raise
        journal.finish()


def recover(root: Path) -> tuple[Journal, list[str]] | None:
    """Undo what an interrupted command's journal records (`proto doctor --fix`); None when
    there is nothing to undo. Returns the journal and what could not be undone (the journal
    is kept then, so the fix can run again)."""
    journal = Journal.find(state_dir(root))
    if journal is None:
        return None
    if journal.done:  # the command had finished; only its clean-up was cut short
        journal.finish()
        return None
    with _signals_ignored():
        problems = undo(root, journal.entries, lambda number: journal.blob(journal.entries[number]))
    if not problems:
        journal.finish()
    return journal, problems
