"""uv.lock, read: each locked package's identity and dependencies, and which workspace packages
a lock change reaches (pure: takes the lock's text, runs nothing)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from seedbed.model.graph import reach
from seedbed.model.names import normalize


@dataclass(frozen=True)
class Lock:
    """A parsed uv.lock: name -> (version and source, dependency names), and the names in the
    virtual root's dependency groups (the workspace's dev tools)."""

    entries: dict[str, tuple[str, tuple[str, ...]]]
    tools: frozenset[str]
    groups: dict[str, frozenset[str]] = field(default_factory=dict, compare=False)

    @classmethod
    def parse(cls, text: str) -> Lock:
        """Parse uv.lock text; a TOMLDecodeError propagates."""
        data = tomllib.loads(text)
        groups = _root_groups(data)
        tools = frozenset(name for names in groups.values() for name in names)
        return cls(_entries(data), tools, groups)

    def closure(self, name: str) -> set[str]:
        """*name* and everything it depends on in the lock."""
        return {name} | reach([name], lambda n: self.entries.get(n, ("", ()))[1])

    def closure_of(self, names: Iterable[str]) -> set[str]:
        """*names* and everything they depend on in the lock."""
        start = set(names)
        return start | reach(start, lambda n: self.entries.get(n, ("", ()))[1])

    def identities(self, names: Iterable[str]) -> list[str]:
        """`name version-and-source` of each of *names* (sorted), what pins it in the lock."""
        return sorted(f"{name} {self.entries.get(name, ('unlocked', ()))[0]}" for name in names)


def _entries(data: dict[str, Any]) -> dict[str, tuple[str, tuple[str, ...]]]:
    entries = {}
    for entry in data.get("package", []):
        name = normalize(str(entry.get("name", "")))
        deps = [d.get("name", "") for d in entry.get("dependencies", [])]
        for group in ("optional-dependencies", "dev-dependencies"):
            for items in entry.get(group, {}).values():
                deps += [d.get("name", "") for d in items]
        identity = f"{entry.get('version', '')} {sorted(entry.get('source', {}).items())}"
        entries[name] = (identity, tuple(sorted({normalize(d) for d in deps})))
    return entries


def _root_groups(data: dict[str, Any]) -> dict[str, frozenset[str]]:
    """The names in each of the virtual root's dependency groups (uv.lock's [manifest])."""
    groups = data.get("manifest", {}).get("dependency-groups", {})
    return {
        group: frozenset(
            normalize(str(requirement["name"]))
            for requirement in requirements
            if isinstance(requirement, dict) and "name" in requirement
        )
        for group, requirements in groups.items()
        if isinstance(requirements, list)
    }


def reached_by_change(old_text: str, new_text: str, distributions: Iterable[str]) -> set[str]:
    """Which of *distributions* have a locked closure that differs between the two locks.

    All of them when either lock does not parse, or when the root's dev tools changed (every
    package is checked with them).
    """
    wanted = {normalize(name): name for name in distributions}
    try:
        old, new = Lock.parse(old_text), Lock.parse(new_text)
    except tomllib.TOMLDecodeError:
        return set(wanted.values())
    changed = {
        name
        for name in old.entries.keys() | new.entries.keys()
        if old.entries.get(name) != new.entries.get(name)
    }
    tools: set[str] = set()
    for lock in (old, new):
        for name in lock.tools:
            tools |= lock.closure(name)
    if changed & tools:
        return set(wanted.values())
    return {
        original
        for name, original in wanted.items()
        if any(lock.closure(name) & changed for lock in (old, new))
    }


def member_paths(text: str) -> dict[str, str]:
    """The workspace members a uv.lock records, by normalised name, with the folder it
    records for each (`source = { editable = "seeds/x" }`); {} when it does not parse."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}
    found = {}
    for entry in data.get("package", []):
        source = entry.get("source", {})
        path = source.get("editable") or source.get("virtual")
        if isinstance(path, str) and path != ".":
            found[normalize(str(entry.get("name", "")))] = path
    return found


def moved_members(text: str, members: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """Which of *members* (distribution, folder) uv.lock's *text* records at another folder:
    the ones a relock must upgrade (`uv lock --upgrade-package`, uv issue 10296)."""
    recorded = member_paths(text)
    return tuple(
        distribution
        for distribution, folder in members
        if recorded.get(normalize(distribution), folder) != folder
    )
