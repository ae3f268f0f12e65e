"""Scratch folders beside their destination (so the final move is one rename on one file
system), each locked by the process that owns it, so a later run can tell the leftovers of a
killed one from another run's work in progress."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from seedbed.effects.locks import FileLock

LOCK_NAME = ".owner.lock"


@contextmanager
def folder(parent: Path, prefix: str) -> Iterator[Path]:
    """A new folder `parent/<prefix>XXXX`, removed when the block ends however it ends."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    lock = FileLock(path / LOCK_NAME)
    lock.acquire()
    try:
        yield path
    finally:
        lock.release()
        shutil.rmtree(path, ignore_errors=True)


def leftovers(parent: Path, prefix: str) -> list[Path]:
    """Scratch folders in *parent* whose owner is gone (killed before it could clean up)."""
    found = []
    for path in sorted(parent.glob(f"{prefix}*")):
        if not path.is_dir() or path.is_symlink():
            continue
        lock = FileLock(path / LOCK_NAME)
        if not lock.acquire():
            continue  # its owner is still at work
        lock.release()
        found.append(path)
    return found


def clear_stale(parent: Path, prefix: str) -> list[Path]:
    """Remove the leftovers of killed runs; return what was removed."""
    removed = leftovers(parent, prefix)
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed
