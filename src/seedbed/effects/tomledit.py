"""TOML edits with tomlkit, so users' comments, formatting and line endings survive."""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any, cast

import tomlkit
from tomlkit.items import Array, InlineTable, Item, Table

from seedbed.errors import ProtoError
from seedbed.model.names import normalize, rename_target, requirement_name

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
    if isinstance(existing, MutableMapping):  # a table, an inline one, or a split one's proxy
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
        uv = tool.get("uv") if isinstance(tool, MutableMapping) else None
        sources = uv.get("sources") if isinstance(uv, (Table, InlineTable)) else None
        return sources if isinstance(sources, (Table, InlineTable)) else None
    tool = _table(document, "tool", super_table=True, where="")
    uv = _table(tool, "uv", super_table=True, where="tool")
    return _table(uv, "sources", super_table=False, where="tool.uv")


def _workspace_source() -> Item:
    """`{ workspace = true }`, spaced the way uv writes it."""
    return cast(Item, tomlkit.parse("source = { workspace = true }\n")["source"])


def _groups_table(document: tomlkit.TOMLDocument, group: str) -> Container:
    """[dependency-groups]; a new one (with an empty *group*) goes right after [project]
    (where the package template has it), set apart from the next table by a blank line."""
    existing = document.get("dependency-groups")
    if existing is not None:
        return _table(document, "dependency-groups", super_table=False, where="")
    created = tomlkit.table()
    created[group] = tomlkit.array()
    keys = list(document.keys())
    following = keys[keys.index("project") + 1] if keys[:-1].count("project") else None
    try:
        position = document._map[tomlkit.items.SingleKey(following)] if following else None
    except (AttributeError, KeyError, TypeError):  # pragma: no cover - another tomlkit
        position = None
    if isinstance(position, int):
        created.add(tomlkit.nl())
        document._insert_at(position, "dependency-groups", created)
    else:
        if keys:
            document.add(tomlkit.nl())
        document["dependency-groups"] = created
    return created


def _dependency_list(document: tomlkit.TOMLDocument, group: str | None) -> Array:
    """[project].dependencies, or the dependency group *group*; created when absent."""
    if group is None:
        parent = document.get("project")
        if not isinstance(parent, Table):
            raise ProtoError("the manifest has no [project] table")
        key, where = "dependencies", "[project].dependencies"
    else:
        parent = _groups_table(document, group)
        key, where = group, f"[dependency-groups].{group}"
    dependencies = parent.get(key)
    if dependencies is None:
        dependencies = tomlkit.array()
        parent[key] = dependencies
    if not isinstance(dependencies, Array):
        raise ProtoError(f"{where} is not a list", "fix it by hand first")
    return dependencies


def add_workspace_dependencies(
    document: tomlkit.TOMLDocument, distributions: list[str], *, group: str | None = None
) -> list[str]:
    """Declare each distribution in [project].dependencies (or in the dependency group
    *group*) with a `{ workspace = true }` source. A dependency already declared only gets
    its source set (replacing a path source).

    Returns the distributions whose declaration or source changed.
    """
    unique: dict[str, str] = {}
    for name in distributions:
        unique.setdefault(normalize(name), name)
    distributions = list(unique.values())
    dependencies = _dependency_list(document, group)
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
    document: tomlkit.TOMLDocument, distributions: list[str], *, everywhere: bool = False
) -> list[str]:
    """Take each distribution out of [project].dependencies (with *everywhere*, out of every
    requirement list: extras and dependency groups too), and its [tool.uv.sources] entry
    unless a list it stays in still needs it. Returns the ones that were declared."""
    wanted = {normalize(name): name for name in distributions}
    removed: list[str] = []
    project = document.get("project")
    dependencies = project.get("dependencies") if isinstance(project, Table) else None
    arrays = _requirement_arrays(document) if everywhere else [dependencies]
    for array in arrays:
        if not isinstance(array, Array):
            continue
        for index in reversed(range(len(array))):
            name = requirement_name(str(array[index]))
            if name in wanted:
                del array[index]
                removed.append(wanted[name])
    sources = _sources(document, create=False)
    if sources is not None:
        for key in [key for key in sources if normalize(key) in wanted]:
            if not _still_referenced(document, normalize(key)):
                del sources[key]
        tool = document.get("tool")
        uv = tool.get("uv") if isinstance(tool, MutableMapping) else None
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
    for key in keys:  # tables split around others come as proxies: any mapping will do
        if not isinstance(container, MutableMapping) or key not in container:
            return False
        container = container[key]
    if not isinstance(container, Array):
        return False
    for index, item in enumerate(container):
        if str(item) == old:
            container[index] = new
            return True
    return False


# ------------------------------------------------------------------ renames

_REQUIREMENT_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")


def _requirement_arrays(document: tomlkit.TOMLDocument) -> list[Array]:
    """Every list of requirements a manifest declares: [project] dependencies and optional
    dependencies, [dependency-groups], and uv's legacy dev-dependencies."""
    arrays: list[Any] = []
    project = document.get("project")
    if isinstance(project, (Table, InlineTable)):
        arrays.append(project.get("dependencies"))
        optional = project.get("optional-dependencies")
        if isinstance(optional, (Table, InlineTable)):
            arrays += list(optional.values())
    groups = document.get("dependency-groups")
    if isinstance(groups, (Table, InlineTable)):
        arrays += list(groups.values())
    tool = document.get("tool")
    uv = tool.get("uv") if isinstance(tool, MutableMapping) else None
    if isinstance(uv, (Table, InlineTable)):
        arrays.append(uv.get("dev-dependencies"))
    return [array for array in arrays if isinstance(array, Array)]


def _rename_key(table: Container, old: str, new: str) -> None:
    """Rename a key in place, keeping its position, value and comment."""
    container: Any = getattr(table, "value", None)
    if hasattr(container, "_replace"):
        container._replace(old, new, table[old])  # tomlkit keeps order and trivia
    else:  # pragma: no cover - a tomlkit without Container._replace
        table[new] = table.pop(old)


def rename_requirements(document: tomlkit.TOMLDocument, renames: Mapping[str, str]) -> bool:
    """Rename distributions (normalised old name -> new name) in every requirement list of a
    manifest and in its [tool.uv.sources]; extras, versions and markers stay as they are.
    True when anything changed."""
    changed = False
    for array in _requirement_arrays(document):
        for index, item in enumerate(array):
            if not isinstance(item, str):
                continue
            new = renames.get(requirement_name(item) or "")
            match = _REQUIREMENT_NAME.match(item)
            if new is None or match is None:
                continue
            array[index] = item[: match.start(1)] + new + item[match.end(1) :]
            changed = True
    sources = _sources(document, create=False)
    for key in list(sources or ()):
        new = renames.get(normalize(key))
        if sources is not None and new is not None:
            _rename_key(sources, key, new)
            changed = True
    return changed


def rename_entry_points(document: tomlkit.TOMLDocument, modules: Mapping[str, str]) -> bool:
    """Rewrite `module:attribute` values of [project.scripts], [project.gui-scripts] and
    [project.entry-points.*] after module renames. True when anything changed."""
    project = document.get("project")
    if not isinstance(project, (Table, InlineTable)):
        return False
    tables = [project.get("scripts"), project.get("gui-scripts")]
    groups = project.get("entry-points")
    if isinstance(groups, (Table, InlineTable)):
        tables += list(groups.values())
    changed = False
    for table in tables:
        if not isinstance(table, (Table, InlineTable)):
            continue
        for key, value in list(table.items()):
            new = rename_target(str(value).strip(), modules) if isinstance(value, str) else None
            if new is not None:
                table[key] = new
                changed = True
    return changed


def rename_scripts(document: tomlkit.TOMLDocument, renames: Mapping[str, str]) -> bool:
    """Rename the commands of [project.scripts] and [project.gui-scripts] (keys, in place)."""
    project = document.get("project")
    changed = False
    for key in ("scripts", "gui-scripts"):
        table = project.get(key) if isinstance(project, (Table, InlineTable)) else None
        if not isinstance(table, (Table, InlineTable)):
            continue
        for old, new in renames.items():
            if old in table and new not in table:
                _rename_key(table, old, new)
                changed = True
    return changed


def set_string(document: tomlkit.TOMLDocument, keys: tuple[str, ...], value: str) -> bool:
    """Set the string at *keys* (which must exist) to *value*; True when it changed."""
    container: Any = document
    for key in keys[:-1]:
        container = container.get(key) if isinstance(container, MutableMapping) else None
    if not isinstance(container, MutableMapping) or not isinstance(container.get(keys[-1]), str):
        return False
    if container[keys[-1]] == value:
        return False
    container[keys[-1]] = value
    return True


def rename_in_array(
    document: tomlkit.TOMLDocument, keys: tuple[str, ...], renames: Mapping[str, str]
) -> bool:
    """Replace each string item of the array at *keys* that is a key of *renames*."""
    changed = False
    for old, new in renames.items():
        changed = replace_in_array(document, keys, old, new) or changed
    return changed
