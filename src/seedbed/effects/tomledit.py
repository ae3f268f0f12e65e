"""TOML edits with tomlkit, so users' comments, formatting and line endings survive."""

from __future__ import annotations

from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, cast

import tomlkit
from tomlkit.items import Array, InlineTable, Item, Table

from seedbed.errors import ProtoError
from seedbed.model.names import normalize, requirement_name

Container = MutableMapping[str, Any]


def load(path: Path) -> tomlkit.TOMLDocument:
    """Parse a TOML file for editing (line endings kept as they are)."""
    try:
        with path.open(encoding="utf-8", newline="") as file:
            return tomlkit.parse(file.read())
    except tomlkit.exceptions.ParseError as error:
        raise ProtoError(f"{path} is not valid TOML: {error}") from error
    except UnicodeDecodeError as error:
        raise ProtoError(f"{path} is not UTF-8 text: {error}") from error


def dumps(document: tomlkit.TOMLDocument) -> str:
    """The document as text, ending with exactly one line break."""
    text = tomlkit.dumps(document)
    newline = "\r\n" if "\r\n" in text else "\n"
    return text.rstrip("\r\n") + newline


def dump(path: Path, document: tomlkit.TOMLDocument) -> None:
    """Write a document back, byte for byte what tomlkit kept."""
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write(dumps(document))


def _table(parent: Container, key: str, *, super_table: bool, where: str) -> Container:
    """The table at *key* (a [table] or an inline { table }), created when absent."""
    existing = parent.get(key)
    if isinstance(existing, (Table, InlineTable)):
        return existing
    if existing is not None:
        raise ProtoError(f"{where}.{key} is not a table", "fix it by hand, then run this again")
    created = tomlkit.table(is_super_table=super_table)
    parent[key] = created
    return created


def _sources(document: tomlkit.TOMLDocument, *, create: bool) -> Container | None:
    """[tool.uv.sources], whichever way it is written."""
    if not create:
        tool = document.get("tool")
        uv = tool.get("uv") if isinstance(tool, (Table, InlineTable)) else None
        sources = uv.get("sources") if isinstance(uv, (Table, InlineTable)) else None
        return sources if isinstance(sources, (Table, InlineTable)) else None
    tool = _table(document, "tool", super_table=True, where="")
    uv = _table(tool, "uv", super_table=True, where="tool")
    return _table(uv, "sources", super_table=False, where="tool.uv")


def _workspace_source() -> Item:
    """`{ workspace = true }`, spaced the way uv writes it."""
    return cast(Item, tomlkit.parse("source = { workspace = true }\n")["source"])


def add_workspace_dependencies(
    document: tomlkit.TOMLDocument, distributions: list[str]
) -> list[str]:
    """Declare each distribution in [project].dependencies with a `{ workspace = true }`
    source. A dependency already declared only gets its source set (replacing a path source).

    Returns the distributions whose declaration or source changed.
    """
    unique: dict[str, str] = {}
    for name in distributions:
        unique.setdefault(normalize(name), name)
    distributions = list(unique.values())
    project = document.get("project")
    if not isinstance(project, Table):
        raise ProtoError("the manifest has no [project] table")
    dependencies = project.get("dependencies")
    if dependencies is None:
        dependencies = tomlkit.array()
        project["dependencies"] = dependencies
    if not isinstance(dependencies, Array):
        raise ProtoError("[project].dependencies is not a list", "fix it by hand first")
    declared = {requirement_name(str(item)) for item in dependencies}
    added = [name for name in distributions if normalize(name) not in declared]
    was_empty = len(dependencies) == 0
    for name in added:
        dependencies.append(name)
    if added and (was_empty or "\n" in dependencies.as_string()):
        dependencies.multiline(True)
    existed = _sources(document, create=False) is not None
    sources = _sources(document, create=True)
    assert sources is not None
    changed = list(added)
    for name in distributions:
        key = next((k for k in sources if normalize(k) == normalize(name)), name)
        current = sources.get(key)
        if isinstance(current, (Table, InlineTable)) and current.get("workspace") is True:
            continue
        sources[key] = _workspace_source()
        if name not in changed:
            changed.append(name)
    if not existed and isinstance(sources, Table):
        sources.add(tomlkit.nl())  # a blank line before whatever table follows it
    return changed


def _still_referenced(document: tomlkit.TOMLDocument, name: str) -> bool:
    """Whether a requirement on *name* remains anywhere a [tool.uv.sources] entry serves."""
    lists: list[Any] = []
    project = document.get("project")
    if isinstance(project, (Table, InlineTable)):
        lists.append(project.get("dependencies") or [])
        lists += list((project.get("optional-dependencies") or {}).values())
    groups = document.get("dependency-groups")
    if isinstance(groups, (Table, InlineTable)):
        lists += list(groups.values())
    return any(
        isinstance(item, str) and requirement_name(item) == name
        for requirements in lists
        if isinstance(requirements, list)
        for item in requirements
    )


def remove_workspace_dependencies(
    document: tomlkit.TOMLDocument, distributions: list[str]
) -> list[str]:
    """Take each distribution out of [project].dependencies, and its [tool.uv.sources] entry
    unless a dependency group or extra still needs it. Returns the ones that were declared."""
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
    sources = _sources(document, create=False)
    if sources is not None:
        for key in [key for key in sources if normalize(key) in wanted]:
            if not _still_referenced(document, normalize(key)):
                del sources[key]
        tool = document.get("tool")
        uv = tool.get("uv") if isinstance(tool, (Table, InlineTable)) else None
        if not sources and isinstance(uv, (Table, InlineTable)) and isinstance(tool, Table):
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
        if not isinstance(container, (Table, InlineTable, tomlkit.TOMLDocument)):
            return False
        if key not in container:
            return False
        container = container[key]
    if not isinstance(container, Array):
        return False
    for index, item in enumerate(container):
        if str(item) == old:
            container[index] = new
            return True
    return False
