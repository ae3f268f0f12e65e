"""`.proto/`, the workspace's own scratch folder (task cache, environments, tool caches), and
the one way files are written in it: whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

STATE_DIR = ".proto"
IGNORE_ALL = "# Made by proto: nothing in this folder belongs in git.\n*\n"
REPLACE_TRIES = 5


def ignored_folder(path: Path) -> Path:
    """Make *path* (and its parents) and put a `.gitignore` in it that ignores everything, so
    git never sees it, even in a workspace whose own .gitignore predates `.proto/`."""
    path.mkdir(parents=True, exist_ok=True)
    marker = path / ".gitignore"
    if not marker.exists():
        write_atomic(marker, IGNORE_ALL.encode())
    return path


def state_dir(root: Path) -> Path:
    """The workspace's `.proto/` folder, made (and git-ignored) if needed."""
    return ignored_folder(root / STATE_DIR)


def write_atomic(path: Path, data: bytes) -> None:
    """Write *data* to *path* through a temporary file and a rename, so a reader sees the old
    file or the new one, never part of one (also when two processes write it at once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        for attempt in range(REPLACE_TRIES):
            try:
                Path(temporary).replace(path)
                return
            except PermissionError:  # Windows: a reader has the target open; try again
                if attempt == REPLACE_TRIES - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
    finally:
        with contextlib.suppress(FileNotFoundError):
            Path(temporary).unlink()
