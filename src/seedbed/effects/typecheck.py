"""mypy's settings in the root manifest that follow the packages, kept in step by the commands
that add or move packages.

mypy has no per-folder configuration and does not expand globs in `mypy_path`, so one root
`[tool.mypy]` serves every package only if it lists them: each package's `src/` in `files`
(what `uv run mypy` with no arguments checks) and in `mypy_path` (so `uv run mypy FILE`
names the module `acme_protos.url_parser.cli`, not `seeds.url-parser.src...`, and finds each
file once), and each core package's modules in the `[[tool.mypy.overrides]]` table that holds
the strict settings. Only workspaces whose `[tool.mypy]` has a `mypy_path` list (the
workspace template writes one) are managed; entries that are not package folders or package
modules are the team's own and stay.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, MutableMapping
from pathlib import Path
from typing import Any

from seedbed.effects.transaction import Transaction
from seedbed.model.names import identifier
from seedbed.model.workspace import MANIFEST, STAGE_DIRS, Workspace, load

PACKAGE_SOURCES = re.compile(rf"(?:{'|'.join(STAGE_DIRS.values())})/[^/]+/src")


def settings(workspace: Workspace) -> tuple[list[str], list[str]]:
    """Every package's source folder, and the module patterns of the core packages."""
    sources = sorted(f"{package.path.as_posix()}/src" for package in workspace.packages)
    strict = sorted(
        f"{workspace.scope.import_name(package.short)}.*"
        for package in workspace.packages
        if package.stage == "core"
    )
    return sources, strict


def package_entries(config: dict[str, Any], workspace: Workspace) -> tuple[Any, dict[str, str]]:
    """A root manifest (as tomllib reads it) without the list entries proto manages, and those
    entries with the package each names (short name): what `proto affected` compares, so
    that adding or moving a package is not a change to every package."""
    config = copy.deepcopy(config)
    by_module = {f"{workspace.scope.import_name(p.short)}.*": p.short for p in workspace.packages}
    entries: dict[str, str] = {}
    mypy = config.get("tool", {}).get("mypy", {})
    if not isinstance(mypy, dict):
        return config, entries
    for key in ("files", "mypy_path"):
        listed = mypy.get(key)
        if isinstance(listed, list):
            managed = {e for e in listed if isinstance(e, str) and PACKAGE_SOURCES.fullmatch(e)}
            entries |= {f"{key}:{e}": e.split("/")[1] for e in managed}
            mypy[key] = [e for e in listed if e not in managed]
    overrides = mypy.get("overrides")
    for override in overrides if isinstance(overrides, list) else []:
        modules = override.get("module") if isinstance(override, dict) else None
        if isinstance(modules, list):
            entries |= {f"module:{m}": by_module[m] for m in modules if m in by_module}
            override["module"] = [m for m in modules if m not in by_module]
    return config, entries


def sync(transaction: Transaction, root: Path, gone: Iterable[str] = ()) -> bool:
    """Bring the root manifest's mypy lists in line with the packages on disk now (through
    *transaction*); True when something changed. *gone* are import names that no longer
    exist (a package renamed, retired or rescoped): their entries go too."""
    from tomlkit.items import AoT, Array, Table

    from seedbed.effects import tomledit

    workspace = load(root)
    manifest = root / MANIFEST
    document = tomledit.load(manifest)
    tool = document.get("tool")
    mypy = tool.get("mypy") if isinstance(tool, MutableMapping) else None
    if not isinstance(mypy, Table) or not isinstance(mypy.get("mypy_path"), Array):
        return False
    sources, strict = settings(workspace)
    ours = {workspace.scope.import_name(p.short) for p in workspace.packages} | set(gone)

    def is_package_module(entry: str) -> bool:
        return entry.removesuffix(".*") in ours

    changed = _replace(mypy, "mypy_path", sources, PACKAGE_SOURCES.fullmatch)
    changed |= _replace(mypy, "files", sources, PACKAGE_SOURCES.fullmatch)
    overrides = mypy.get("overrides")
    scope_ident = identifier(workspace.scope.name)
    for override in overrides if isinstance(overrides, AoT) else []:
        modules = override.get("module")
        if (
            override.get("disallow_untyped_defs") is True
            and isinstance(modules, Array)
            and all(
                str(entry).startswith(scope_ident) or is_package_module(str(entry))
                for entry in modules
            )
        ):
            changed |= _replace(override, "module", strict, is_package_module)
            break
    if changed:
        transaction.write_text(manifest, tomledit.dumps(document))
    return changed


def _replace(
    table: MutableMapping[str, Any], key: str, managed: list[str], is_managed: Callable[[str], Any]
) -> bool:
    """Set the list at *key* to the team's own entries followed by *managed*; True when that
    differs from what is there."""
    import tomlkit

    current = [str(entry) for entry in table.get(key) or []]
    wanted = [entry for entry in current if not is_managed(entry)] + managed
    if current == wanted:
        return False
    array = tomlkit.array()
    array.extend(wanted)
    if wanted:
        array.multiline(True)
    table[key] = array
    return True
