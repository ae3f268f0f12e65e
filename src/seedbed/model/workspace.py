"""The workspace: find the root, read its config once and its packages (tomllib only, fast)."""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from seedbed.errors import InvalidInputError, NotAWorkspaceError, ProtoError
from seedbed.model.names import IMPORT_STYLES, ImportStyle, Scope, normalize

Stage = Literal["seed", "core"]
STAGE_DIRS: dict[Stage, str] = {"seed": "seeds", "core": "core"}
MANIFEST = "pyproject.toml"
LOCK = "uv.lock"
PYTHON_PIN = ".python-version"


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; a syntax error becomes a ProtoError that names the file."""
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise ProtoError(
            f"{path} is not valid TOML: {error}", "fix the file by hand (or restore it with git)"
        ) from error
    except UnicodeDecodeError as error:
        raise ProtoError(f"{path} is not UTF-8 text: {error}", "save it as UTF-8") from error
    except OSError as error:
        raise ProtoError(f"cannot read {path}: {error.strerror}") from error


def read_text(path: Path) -> str | None:
    """A file's text with its line endings as they are; None if it is not UTF-8 text."""
    try:
        with path.open(encoding="utf-8", newline="") as file:
            return file.read()
    except (OSError, UnicodeDecodeError):
        return None


def running_python() -> str:
    """The X.Y of the running interpreter."""
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def is_python_version(text: str) -> bool:
    """True for a CPython 3 version of the form X.Y (3.8 or newer)."""
    major, dot, minor = text.partition(".")
    return major == "3" and dot == "." and minor.isdigit() and int(minor) >= 8


@dataclass(frozen=True)
class Package:
    """One workspace member as its manifest declares it."""

    short: str
    stage: Stage
    path: Path  # relative to the workspace root, e.g. seeds/url-parser
    distribution: str
    version: str
    requirements: tuple[str, ...] = ()
    sources: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    group_requirements: tuple[str, ...] = ()  # from [dependency-groups], e.g. test-only deps

    @property
    def manifest(self) -> str:
        """Its pyproject.toml, relative to the workspace root."""
        return f"{self.path.as_posix()}/{MANIFEST}"


@dataclass(frozen=True)
class Workspace:
    """A seedbed workspace: its root folder, its scope, its root manifest and its packages."""

    root: Path
    scope: Scope
    packages: tuple[Package, ...]
    config: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def proto_config(self) -> dict[str, Any]:
        """The root manifest's `[tool.proto]` table."""
        table = self.config.get("tool", {}).get("proto", {})
        return table if isinstance(table, dict) else {}

    @property
    def python(self) -> str:
        """The workspace's Python X.Y (its .python-version), else the running one."""
        first = (read_text(self.root / PYTHON_PIN) or "").strip().splitlines()
        if first and is_python_version(first[0].strip()):
            return first[0].strip()
        return running_python()

    def stage_dir(self, stage: Stage) -> Path:
        """The absolute folder of a stage."""
        return self.root / STAGE_DIRS[stage]

    def find(self, name: str) -> Package | None:
        """The package whose short or distribution name matches *name* (after normalisation)."""
        wanted = normalize(name)
        for package in self.packages:
            if wanted in (normalize(package.short), normalize(package.distribution)):
                return package
        return None

    def get(self, name: str) -> Package:
        """Like find, but an unknown name is an error that lists what there is."""
        package = self.find(name)
        if package is None:
            known = ", ".join(sorted(p.short for p in self.packages)) or "none yet"
            raise InvalidInputError(
                f"no package named '{name}' in this workspace", f"packages: {known}"
            )
        return package

    def resolve(self, names: list[str]) -> list[Package]:
        """The packages *names* name, in the order given, each once; unknown names refused."""
        found: list[Package] = []
        for name in names:
            package = self.get(name)
            if package not in found:
                found.append(package)
        return found

    def taken_names(self) -> dict[str, Path]:
        """Every name already used in a stage folder (normalised), with the folder using it."""
        taken: dict[str, Path] = {}
        for stage in STAGE_DIRS.values():
            folder = self.root / stage
            if folder.is_dir():
                for child in folder.iterdir():
                    if child.is_dir():
                        taken[normalize(child.name)] = child.relative_to(self.root)
        for package in self.packages:
            taken.setdefault(normalize(package.distribution), package.path)
        return taken


def _has_proto_table(data: dict[str, Any]) -> bool:
    tool = data.get("tool")
    return isinstance(tool, dict) and isinstance(tool.get("proto"), dict)


def find_root(start: Path) -> tuple[Path, dict[str, Any]]:
    """Walk up from *start* to the folder whose pyproject.toml has a [tool.proto] table;
    return it with that manifest, parsed."""
    for folder in (start, *start.parents):
        manifest = folder / MANIFEST
        if manifest.is_file():
            try:
                data = tomllib.loads(manifest.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                if b"[tool.proto]" in manifest.read_bytes():
                    read_toml(manifest)  # raises the error that names the corrupt file
                continue
            if _has_proto_table(data):
                return folder, data
    raise NotAWorkspaceError(
        f"{start} is not inside a seedbed workspace (no pyproject.toml with [tool.proto] above it)",
        "create one with `proto init DEST`, or pass -C PATH to point at one",
    )


def parse_scope(root: Path, config: dict[str, Any]) -> Scope:
    """The scope and import style that the root manifest's `[tool.proto]` declares."""
    proto = config["tool"]["proto"]
    scope = proto.get("scope")
    style = proto.get("import-style", "namespace")
    if not isinstance(scope, str) or not scope:
        raise ProtoError(
            f"{root / MANIFEST}: [tool.proto] has no scope", 'add a line like scope = "acme-protos"'
        )
    if style not in IMPORT_STYLES:
        raise ProtoError(
            f"{root / MANIFEST}: [tool.proto] import-style must be 'namespace' or 'flat'",
            f"it is {style!r}",
        )
    import_style: ImportStyle = "flat" if style == "flat" else "namespace"
    return Scope(scope, import_style)


def load_package(root: Path, folder: Path, stage: Stage) -> Package | None:
    """Read one member; None for a folder without a pyproject.toml (uv ignores those too)."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return None
    data = read_toml(manifest)
    project = _mapping(data, "project", manifest)
    uv = _mapping(_mapping(data, "tool", manifest), "uv", manifest, "tool.")
    sources = _mapping(uv, "sources", manifest, "tool.uv.")
    groups = _mapping(data, "dependency-groups", manifest)
    dependencies = project.get("dependencies", [])
    if not isinstance(dependencies, list):
        raise ProtoError(f"{manifest}: [project].dependencies must be a list of requirements")
    version = project.get("version", "")
    return Package(
        short=folder.name,
        stage=stage,
        path=folder.relative_to(root),
        distribution=str(project.get("name", folder.name)),
        version=version if isinstance(version, str) else "",
        requirements=tuple(str(req) for req in dependencies),
        sources=sources,
        group_requirements=tuple(
            req
            for group in groups.values()
            if isinstance(group, list)
            for req in group
            if isinstance(req, str)
        ),
    )


def _mapping(data: dict[str, Any], key: str, manifest: Path, prefix: str = "") -> dict[str, Any]:
    """The table at *key* ({} when absent); a non-table is an error that names the file."""
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ProtoError(f"{manifest}: {prefix}{key} must be a table", "fix the file by hand")
    return value


PackageReader = Callable[[Path, Path, Stage], Package | None]


def load(start: Path | None = None, read: PackageReader = load_package) -> Workspace:
    """Find and read the workspace that contains *start* (default: the current folder); each
    member folder is read with *read* (default: load_package; a caller may cache it)."""
    root, config = find_root((start or Path.cwd()).resolve())
    scope = parse_scope(root, config)
    packages: list[Package] = []
    for stage, dirname in STAGE_DIRS.items():
        stage_dir = root / dirname
        if stage_dir.is_dir():
            for child in sorted(stage_dir.iterdir(), key=lambda path: path.name):
                package = read(root, child, stage) if child.is_dir() else None
                if package is not None:
                    packages.append(package)
    packages.sort(key=lambda p: p.short)
    return Workspace(root, scope, tuple(packages), config)
