"""Mentions of a path in the workspace's text files, found and rewritten as whole paths only
(`seeds/alpha` is not inside `seeds/alpha-v2` or `myseeds/alpha`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from seedbed.effects import git
from seedbed.effects.transaction import Transaction
from seedbed.model.workspace import LOCK, read_text


def pattern(path: str) -> re.Pattern[str]:
    """*path* as a whole path segment (not `path-v2`, not `mypath`)."""
    return re.compile(rf"(?<![\w.-]){re.escape(path)}(?![\w-])")


def files_mentioning(root: Path, paths: list[str]) -> list[str]:
    """Tracked text files (relative to *root*) that mention any of *paths* as a whole path;
    uv.lock is left to uv."""
    patterns = [pattern(path) for path in paths]
    found = []
    for candidate in git.files_mentioning(root, paths):
        if candidate == LOCK:
            continue
        text = read_text(root / candidate)
        if text is not None and any(p.search(text) for p in patterns):
            found.append(candidate)
    return sorted(found)


def rewrite(transaction: Transaction, path: Path, replacements: Mapping[str, str]) -> bool:
    """Replace each whole-path mention of an old path with its new path in the file at *path*
    (line endings kept; non-UTF-8 files left alone). True when the file changed."""
    text = read_text(path)
    if text is None:
        return False
    new = text
    for old, replacement in replacements.items():
        new = pattern(old).sub(replacement, new)
    if new == text:
        return False
    transaction.write_text(path, new)
    return True
