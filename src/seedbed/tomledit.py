"""TOML edits with tomlkit, so users' comments and formatting survive."""

from __future__ import annotations

from pathlib import Path

import tomlkit
from tomlkit.items import Array, Table

from seedbed.errors import ProtoError
from seedbed.names import normalize, requirement_name


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
    added = [name for name in distributions if normalize(name) not in declared]
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


def remove_workspace_dependencies(
    document: tomlkit.TOMLDocument, distributions: list[str]
) -> list[str]:
    """Take each distribution out of [project].dependencies and [tool.uv.sources].

    Returns the ones that were declared (and so removed).
    """
    wanted = {normalize(name): name for name in distributions}
    removed: list[str] = []
    project = document.get("project")
    dependencies = project.get("dependencies") if isinstance(project, Table) else None
    if isinstance(dependencies, Array):
        for index in reversed(range(len(dependencies))):
            name = requirement_name(str(dependencies[index]))
            if name in wanted:
                del dependencies[index]
                removed.append(wanted[name])
    tool = document.get("tool")
    uv = tool.get("uv") if isinstance(tool, Table) else None
    sources = uv.get("sources") if isinstance(uv, Table) else None
    if isinstance(sources, Table):
        for key in [key for key in sources if normalize(key) in wanted]:
            del sources[key]
        if not sources and isinstance(uv, Table) and isinstance(tool, Table):
            del uv["sources"]
            if not uv:
                del tool["uv"]
            if not tool:
                del document["tool"]
    return list(dict.fromkeys(reversed(removed)))


def replace_in_array(
    document: tomlkit.TOMLDocument, keys: tuple[str, ...], old: str, new: str
) -> bool:
    """Replace the string item *old* with *new* in the array at *keys*; True if it was there."""
    container: object = document
    for key in keys:
        if not isinstance(container, (Table, tomlkit.TOMLDocument)) or key not in container:
            return False
        container = container[key]
    if not isinstance(container, Array):
        return False
    for index, item in enumerate(container):
        if str(item) == old:
            container[index] = new
            return True
    return False
