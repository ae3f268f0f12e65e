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
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seedbed.model.names import identifier
from seedbed.model.workspace import MANIFEST, STAGE_DIRS, Workspace, load

if TYPE_CHECKING:
    from seedbed.effects.transaction import Transaction

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


@dataclass(frozen=True)
class Listed:
    """One list proto keeps in the root manifest: where it is, what it holds, and what it
    should hold (the team's own entries, then the packages')."""

    label: str  # for messages: `[tool.mypy] files`
    table: Mapping[str, Any]  # the table that holds it (tomllib's dict or tomlkit's table)
    key: str
    current: list[str]
    wanted: list[str]
    what: str  # what a managed entry names: `a package's src/`

    @property
    def stale(self) -> bool:
        """Whether the list is not what proto would write."""
        return self.current != self.wanted

    @property
    def removed(self) -> list[str]:
        """Entries proto would take out."""
        return [entry for entry in self.current if entry not in self.wanted]

    @property
    def added(self) -> list[str]:
        """Entries proto would put in."""
        return [entry for entry in self.wanted if entry not in self.current]


def managed(
    config: Mapping[str, Any], workspace: Workspace, gone: Iterable[str] = ()
) -> list[Listed]:
    """The lists proto keeps in the root manifest *config* (parsed by tomllib or tomlkit), in
    line with *workspace*'s packages; empty when the manifest has no `[tool.mypy]` with a
    `mypy_path` list (not managed). *gone* are import names that no longer exist (a package
    renamed, retired or rescoped): their modules go too."""
    tool = config.get("tool")
    mypy = tool.get("mypy") if isinstance(tool, Mapping) else None
    if not isinstance(mypy, Mapping) or not isinstance(mypy.get("mypy_path"), list):
        return []
    sources, strict = settings(workspace)
    ours = {workspace.scope.import_name(p.short) for p in workspace.packages} | set(gone)

    def is_package_module(entry: str) -> bool:
        return entry.removesuffix(".*") in ours

    found = [
        _listed(f"[tool.mypy] {key}", mypy, key, sources, PACKAGE_SOURCES.fullmatch, "src/")
        for key in ("files", "mypy_path")
    ]
    overrides = mypy.get("overrides")
    scope_ident = identifier(workspace.scope.name)
    for override in overrides if isinstance(overrides, list) else []:
        modules = override.get("module") if isinstance(override, Mapping) else None
        if (
            override.get("disallow_untyped_defs") is True
            and isinstance(modules, list)
            and all(
                str(entry).startswith(scope_ident) or is_package_module(str(entry))
                for entry in modules
            )
        ):
            label = "[[tool.mypy.overrides]] module (the strict one)"
            found.append(
                _listed(label, override, "module", strict, is_package_module, "core modules")
            )
            break
    return found


def _listed(
    label: str,
    table: Mapping[str, Any],
    key: str,
    managed: list[str],
    is_managed: Callable[[str], Any],
    what: str,
) -> Listed:
    """The list at *key*: the team's own entries followed by *managed* (*what* they are)."""
    current = [str(entry) for entry in table.get(key) or []]
    wanted = [entry for entry in current if not is_managed(entry)] + managed
    return Listed(label, table, key, current, wanted, what)


def rendered(workspace: Workspace, gone: Iterable[str] = ()) -> str | None:
    """The root manifest's text with its mypy lists in line with *workspace*'s packages (see
    `managed`), or None when that changes nothing."""
    from seedbed.effects import tomledit

    document = tomledit.load(workspace.root / MANIFEST)
    stale = [listed for listed in managed(document, workspace, gone) if listed.stale]
    for listed in stale:
        _replace(listed.table, listed.key, listed.wanted)
    return tomledit.dumps(document) if stale else None


def sync(transaction: Transaction, root: Path, gone: Iterable[str] = ()) -> bool:
    """Bring the root manifest's mypy lists in line with the packages on disk now (through
    *transaction*); True when something changed. *gone* are import names that no longer
    exist (a package renamed, retired or rescoped): their entries go too."""
    text = rendered(load(root), gone)
    if text is None:
        return False
    transaction.write_text(root / MANIFEST, text)
    return True


def _replace(table: Mapping[str, Any], key: str, wanted: list[str]) -> None:
    """Set the list at *key* (a tomlkit table) to *wanted*, one entry a line."""
    import tomlkit

    assert isinstance(table, MutableMapping)
    array = tomlkit.array()
    array.extend(wanted)
    if wanted:
        array.multiline(True)
    table[key] = array
