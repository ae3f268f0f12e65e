"""An exclusive lock on a file, held by this process until released (or until it dies, however
it dies: the operating system drops the lock with the process).

POSIX uses `fcntl.flock`, Windows `msvcrt.locking` on the first byte. Written here rather than
taken from the `filelock` package: importing that costs ~85 ms (measured here), on every
command that changes files, for the ~30 lines below.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

POLL_SECONDS = 0.05


class FileLock:
    """An exclusive, non-reentrant lock on the file at *path* (created if missing)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self, timeout: float = 0.0) -> bool:
        """Take the lock, waiting up to *timeout* seconds; False when it stayed taken."""
        deadline = time.monotonic() + timeout
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        while True:
            try:
                _lock(fd)
            except OSError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(POLL_SECONDS)
            else:
                self._fd = fd
                return True

    def release(self) -> None:
        """Let the lock go: unlocked, then closed (Windows asks for both, in that order)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                _unlock(fd)
            finally:
                os.close(fd)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)  # msvcrt locks and unlocks from the file's position
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
