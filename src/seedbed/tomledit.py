"""TOML edits with tomlkit, so users' comments and formatting survive."""

from __future__ import annotations

from pathlib import Path

import tomlkit
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from tomlkit.items import Array, Table

from seedbed.errors import ProtoError


def load(path: Path) -> tomlkit.TOMLDocument:
    """Parse a TOML file for editing."""
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except tomlkit.exceptions.ParseError as error:
        raise ProtoError(f"{path} is not valid TOML: {error}") from error


def dumps(document: tomlkit.TOMLDocument) -> str:
    """The document as text, ending with exactly one newline."""
    return tomlkit.dumps(document).rstrip("\n") + "\n"


def dump(path: Path, document: tomlkit.TOMLDocument) -> None:
    """Write a document back."""
    path.write_text(dumps(document), encoding="utf-8")


def requirement_name(requirement: str) -> str | None:
    """The canonical project name a requirement string names, or None if it does not parse."""
    try:
        return canonicalize_name(Requirement(requirement).name)
    except InvalidRequirement:
        return None


def _table(parent: Table | tomlkit.TOMLDocument, key: str, *, super_table: bool) -> Table:
    existing = parent.get(key)
    if isinstance(existing, Table):
        return existing
    created = tomlkit.table(is_super_table=super_table)
    parent[key] = created
    return created


def add_workspace_dependencies(
    document: tomlkit.TOMLDocument, distributions: list[str]
) -> list[str]:
    """Add each distribution to [project].dependencies with a `{ workspace = true }` source.

    Returns the ones that were added (those already declared are left as they are).
    """
    project = document.get("project")
    if not isinstance(project, Table):
        raise ProtoError("the manifest has no [project] table")
    dependencies = project.get("dependencies")
    if not isinstance(dependencies, Array):
        dependencies = tomlkit.array()
        project["dependencies"] = dependencies
    declared = {requirement_name(str(item)) for item in dependencies}
    added = [name for name in distributions if canonicalize_name(name) not in declared]
    was_empty = len(dependencies) == 0
    for name in added:
        dependencies.append(name)
    if added and (was_empty or "\n" in dependencies.as_string()):
        dependencies.multiline(True)
    sources = _table(
        _table(_table(document, "tool", super_table=True), "uv", super_table=True),
        "sources",
        super_table=False,
    )
    for name in added:
        sources[name] = tomlkit.parse("source = { workspace = true }")["source"]
    return added
