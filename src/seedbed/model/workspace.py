"""The workspace: find the root, read its config once and its packages (tomllib only, fast)."""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from seedbed.errors import InvalidInputError, NotAWorkspaceError, ProtoError
from seedbed.model.names import IMPORT_STYLES, ImportStyle, Scope, normalize, validate_scope

Stage = Literal["seed", "core"]
STAGE_DIRS: dict[Stage, str] = {"seed": "seeds", "core": "core"}
MANIFEST = "pyproject.toml"
LOCK = "uv.lock"
PYTHON_PIN = ".python-version"
LISTED_NAMES = 20  # an unknown name's hint lists every package up to this many


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


OLDEST_PYTHON = "3.10"  # the oldest Python the templates' dependencies (Starlette) support


def is_python_version(text: str) -> bool:
    """True for a CPython 3 version of the form X.Y."""
    major, dot, minor = text.partition(".")
    return major == "3" and dot == "." and minor.isdigit()


def is_supported_python(text: str) -> bool:
    """True for an X.Y version that new workspaces can use (OLDEST_PYTHON or newer)."""
    return int(text.partition(".")[2]) >= int(OLDEST_PYTHON.partition(".")[2])


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
    named: bool = True  # False when [project] has no name (distribution is then the folder's)

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

    @cached_property
    def distributions(self) -> frozenset[str]:
        """Every package's distribution name, normalised (computed once per workspace)."""
        return frozenset(normalize(p.distribution) for p in self.packages)

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
        """Like find, but an unknown name is an error that says what there is: every package
        in a small workspace, the closest names (and where to see all) in a large one."""
        package = self.find(name)
        if package is None:
            names = sorted(p.short for p in self.packages)
            if len(names) <= LISTED_NAMES:
                hint = f"packages: {', '.join(names) or 'none yet'}"
            else:
                import difflib

                close = difflib.get_close_matches(self.scope.short_name(name), names, n=3)
                hint = (f"did you mean {' or '.join(close)}? " if close else "") + (
                    f"`proto list` shows all {len(names)} packages"
                )
            raise InvalidInputError(f"no package named '{name}' in this workspace", hint)
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
                for child in folder.iterdir():  # files too: a folder could not be made there
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
    where = f"{root / MANIFEST}: [tool.proto]"
    if scope is None or scope == "":
        raise ProtoError(f"{where} has no scope", 'add a line like scope = "acme-protos"')
    if not isinstance(scope, str):
        raise ProtoError(
            f"{where} scope must be a string, not {scope!r}", 'quote it, e.g. scope = "acme-protos"'
        )
    if style not in IMPORT_STYLES:
        raise ProtoError(f"{where} import-style must be 'namespace' or 'flat'", f"it is {style!r}")
    import_style: ImportStyle = "flat" if style == "flat" else "namespace"
    try:
        validate_scope(scope, import_style)
    except InvalidInputError as error:
        raise ProtoError(f"{where} {error.message}", error.hint) from error
    return Scope(scope, import_style)


def check_members(root: Path, config: dict[str, Any]) -> None:
    """`[tool.uv.workspace] members` must be a list of relative glob patterns."""
    where = f"{root / MANIFEST}: [tool.uv.workspace]"
    uv = config.get("tool", {}).get("uv", {})
    workspace = uv.get("workspace", {}) if isinstance(uv, dict) else {}
    if not isinstance(workspace, dict):
        raise ProtoError(
            f"{where} must be a table", 'write it like members = ["core/*", "seeds/*"]'
        )
    members = workspace.get("members", [])
    if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        raise ProtoError(
            f"{where} members must be a list of glob patterns",
            'write it like members = ["core/*", "seeds/*"]',
        )
    for member in members:
        if not member.strip() or Path(member).is_absolute() or ".." in Path(member).parts:
            raise ProtoError(
                f"{where} members has {member!r}; members are globs relative to the root",
                'write it like members = ["core/*", "seeds/*"]',
            )


def load(start: Path | None = None, *, packages: bool = True) -> Workspace:
    """Find and read the workspace that contains *start* (default: the current folder);
    without *packages*, only its root (for commands that need no package manifest)."""
    root, config = find_root((start or Path.cwd()).resolve())
    scope = parse_scope(root, config)
    check_members(root, config)
    if not packages:
        return Workspace(root, scope, (), config)
    from seedbed.model.manifests import read_members

    found = [
        Package(
            short=folder.rpartition("/")[2],
            stage=stage,
            path=Path(folder),
            distribution=name if name is not None else folder.rpartition("/")[2],
            named=name is not None,
            version=version,
            requirements=requirements,
            sources=sources,
            group_requirements=groups,
        )
        for stage, folder, (name, version, requirements, sources, groups) in read_members(
            root, STAGE_DIRS
        )
    ]
    found.sort(key=lambda p: p.short)
    return Workspace(root, scope, tuple(found), config)
