"""Mentions of a path in the workspace's text files, found and rewritten as whole paths only:
`seeds/alpha`, `./seeds/alpha/src` and `../seeds/alpha` are mentions; `seeds/alpha-v2`,
`myseeds/alpha`, `seeds/alpha.tar.gz` and `https://wiki.example.com/teams/seeds/alpha` are not."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from seedbed.effects import git
from seedbed.effects.transaction import Transaction
from seedbed.model.workspace import LOCK, read_text


def pattern(path: str) -> re.Pattern[str]:
    """*path* as a whole path: at the start of a path (perhaps behind `./` or `../`), not
    inside a URL or a longer path, and not the start of a longer name (`-v2`, `.tar.gz`)."""
    return re.compile(rf"(?<![\w.\-/:@])((?:\.{{1,2}}/)*){re.escape(path)}(?![\w-]|\.\w)")


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
        new = pattern(old).sub(rf"\g<1>{_escape(replacement)}", new)
    if new == text:
        return False
    transaction.write_text(path, new)
    return True


def _escape(replacement: str) -> str:
    """A literal for re.sub's replacement template."""
    return replacement.replace("\\", "\\\\")
