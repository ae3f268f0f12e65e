"""Small caches seedbed keeps between commands, outside the work tree: in the git directory
(`.git/seedbed/`, never committed, never in `git status`), or in `.proto/` of a workspace that
is not a git repository. A stash is only ever a shortcut: one that is missing, corrupt or
written by another seedbed version reads as empty, and one that cannot be written is skipped.
"""

from __future__ import annotations

import marshal
import os
from pathlib import Path
from typing import Any

from seedbed import __version__


def git_dir(root: Path) -> Path | None:
    """The git directory of the repository holding *root*, found without running git."""
    for folder in (root, *root.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():  # a linked worktree or a submodule: "gitdir: PATH"
            text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
            if text.startswith("gitdir:"):
                found = Path(text.removeprefix("gitdir:").strip())
                return found if found.is_absolute() else (folder / found).resolve()
    return None


def path(root: Path, name: str) -> Path:
    """Where the stash *name* of the workspace at *root* lives."""
    found = git_dir(root)
    if found is None:
        return root / ".proto" / f"{name}.marshal"
    prefix = root.relative_to(found.parent).as_posix() if root.is_relative_to(found.parent) else ""
    folder = "root" if prefix in ("", ".") else prefix.replace("/", "__")
    return found / "seedbed" / f"{name}-{folder}.marshal"


def load(file: Path, version: int) -> dict[Any, Any]:
    """The entries stashed in *file* by this seedbed at format *version*; {} otherwise."""
    try:
        # our own file in the git directory: whoever can change it can change the code
        data = marshal.loads(file.read_bytes())  # noqa: S302
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if isinstance(data, tuple) and len(data) == 2 and data[0] == (__version__, version):
        entries = data[1]
        return entries if isinstance(entries, dict) else {}
    return {}


def save(file: Path, version: int, entries: dict[Any, Any]) -> None:
    """Write *entries* to *file* atomically (skipped when the disk says no)."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        temporary = file.with_name(f"{file.name}.{os.getpid()}.tmp")
        temporary.write_bytes(marshal.dumps(((__version__, version), entries)))
        temporary.replace(file)
    except (OSError, ValueError):
        pass  # a read-only or full disk, an uncacheable value: the next command works it out
