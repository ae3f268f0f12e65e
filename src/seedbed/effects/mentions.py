"""Mentions of a path or a name in the workspace's text files, found and rewritten whole only.

Paths: `seeds/alpha`, `./seeds/alpha/src` and `../seeds/alpha` are mentions; `seeds/alpha-v2`,
`myseeds/alpha`, `seeds/alpha.tar.gz` and `https://wiki.example.com/teams/seeds/alpha` are not.
Names (a distribution, a dotted import name): `acme-alpha`, `acme-alpha>=1`, `acme_alpha.core`
are mentions of `acme-alpha` / `acme_alpha`; `acme-alpha-v2`, `x.acme_alpha` and
`https://pypi.org/project/acme-alpha/` are not. These are rules for prose and configuration;
Python code is rewritten with a syntax tree (effects/pycode.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from seedbed.effects import git
from seedbed.effects.transaction import Transaction
from seedbed.model.workspace import LOCK, read_text


def pattern(path: str) -> re.Pattern[str]:
    """*path* as a whole path: at the start of a path (perhaps behind `./` or `../`), not
    inside a URL or a longer path, and not the start of a longer name (`-v2`, `.tar.gz`)."""
    return re.compile(rf"(?<![\w.\-/:@])((?:\.{{1,2}}/)*){re.escape(path)}(?![\w-]|\.\w)")


def name_pattern(name: str, *, prefix: bool = False) -> re.Pattern[str]:
    """*name* as a whole name: not inside a path, URL or longer name or dotted name (with
    *prefix*, the start of a longer name counts too: the scope in `acme-NAME`, `acme_NAME`)."""
    after = r"(?![^\W_])" if prefix else r"(?![\w-])"
    return re.compile(rf"(?<![\w.\-/]){re.escape(name)}{after}")


Rule = tuple[re.Pattern[str], str]


def path_rules(replacements: Mapping[str, str]) -> list[Rule]:
    """Rules that rewrite whole-path mentions (longest old path first)."""
    ordered = sorted(replacements.items(), key=lambda item: -len(item[0]))
    return [(pattern(old), rf"\g<1>{_escape(new)}") for old, new in ordered]


def name_rules(replacements: Mapping[str, str], *, prefix: bool = False) -> list[Rule]:
    """Rules that rewrite whole-name mentions (longest old name first)."""
    ordered = sorted(replacements.items(), key=lambda item: -len(item[0]))
    return [(name_pattern(old, prefix=prefix), _escape(new)) for old, new in ordered]


def replace(text: str, rules: Sequence[Rule]) -> str:
    """*text* with every rule applied, in order."""
    for compiled, template in rules:
        text = compiled.sub(template, text)
    return text


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
    new = replace(text, path_rules(replacements))
    if new == text:
        return False
    transaction.write_text(path, new)
    return True


def _escape(replacement: str) -> str:
    """A literal for re.sub's replacement template."""
    return replacement.replace("\\", "\\\\")
