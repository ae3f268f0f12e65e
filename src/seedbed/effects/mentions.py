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
from typing import NamedTuple

from seedbed.effects import git
from seedbed.effects.transaction import Transaction
from seedbed.model.workspace import LOCK, read_text


def pattern(path: str) -> re.Pattern[str]:
    """*path* as a whole path: at the start of a path (perhaps behind `./` or `../`), not
    inside a URL or a longer path, and not the start of a longer name (`-v2`, `.tar.gz`)."""
    return re.compile(rf"(?<![\w.\-/:@])((?:\.{{1,2}}/)*){re.escape(path)}(?![\w-]|\.\w)")


def name_pattern(name: str, *, prefix: bool = False, in_paths: bool = False) -> re.Pattern[str]:
    """*name* as a whole name: not inside a longer name or dotted name, nor (unless
    *in_paths*) inside a path or URL (with *prefix*, the start of a longer name counts too:
    the scope in `acme-NAME`, `acme_NAME`)."""
    after = r"(?![^\W_])" if prefix else r"(?![\w-])"
    before = r"(?<![\w.\-])" if in_paths else r"(?<![\w.\-/])"
    return re.compile(rf"{before}{re.escape(name)}{after}")


class Rule(NamedTuple):
    """One rewrite: the literal it needs, its pattern and the replacement template; a
    *bounded* rule matches only whole tokens (see `candidates`)."""

    old: str
    pattern: re.Pattern[str]
    template: str
    bounded: bool = True


def path_rules(replacements: Mapping[str, str]) -> list[Rule]:
    """Rules that rewrite whole-path mentions (longest old path first)."""
    ordered = sorted(replacements.items(), key=lambda item: -len(item[0]))
    return [Rule(old, pattern(old), rf"\g<1>{_escape(new)}") for old, new in ordered]


def name_rules(
    replacements: Mapping[str, str], *, prefix: bool = False, in_paths: bool = False
) -> list[Rule]:
    """Rules that rewrite whole-name mentions (longest old name first)."""
    ordered = sorted(replacements.items(), key=lambda item: -len(item[0]))
    return [
        Rule(old, name_pattern(old, prefix=prefix, in_paths=in_paths), _escape(new),
             bounded=not (prefix or in_paths))
        for old, new in ordered
    ]  # fmt: skip


_TOKEN = re.compile(r"[\w.\-/:@]+")
_LEAD = re.compile(r"(?:\.{1,2}/)*")


def candidates(text: str) -> set[str]:
    """Every substring of *text* that a whole-path or whole-name rule could match: within
    each run of name and path characters, from its start (past a leading `./` or `../`, or
    after a `:` or `@`) up to a `.`, `/`, `:`, `@` or its end. A superset of what the rules
    match, found in one pass, so a file is checked against thousands of rules cheaply."""
    found: set[str] = set()
    for match in _TOKEN.finditer(text):
        token = match.group()
        lead = _LEAD.match(token)
        starts = {0, lead.end() if lead else 0}
        starts |= {i + 1 for i, char in enumerate(token) if char in ":@"}
        ends = {i for i, char in enumerate(token) if char in "./:@"} | {len(token)}
        found.update(token[s:e] for s in starts for e in ends if e > s)
    return found


class Rules:
    """Rules applied in order; with many, only those whose literal can match are run, found
    through `candidates` (a rescope has thousands of rules, a file needs a few)."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        self.bounded = {rule.old: i for i, rule in enumerate(self.rules) if rule.bounded}
        self.free = [i for i, rule in enumerate(self.rules) if not rule.bounded]

    def replace(self, text: str) -> str:
        """*text* with the rules applied."""
        if len(self.rules) <= 16:
            chosen: list[int] = list(range(len(self.rules)))
        else:
            found = {self.bounded[c] for c in candidates(text) if c in self.bounded}
            chosen = sorted(found.union(self.free))
        for index in chosen:
            rule = self.rules[index]
            if rule.old in text:
                text = rule.pattern.sub(rule.template, text)
        return text


def replace(text: str, rules: Sequence[Rule]) -> str:
    """*text* with every rule applied, in order."""
    return Rules(rules).replace(text)


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
