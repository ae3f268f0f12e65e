"""`proto version`: show and change package versions (PEP 440), keeping each file's formatting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from packaging.version import InvalidVersion, Version

from seedbed.errors import InvalidInputError, ProtoError
from seedbed.workspace import Package, Workspace

Bump = Literal["major", "minor", "patch", "pre"]


def parse(text: str) -> Version:
    """A PEP 440 version, or an InvalidInputError that says so."""
    try:
        return Version(text)
    except InvalidVersion as error:
        raise InvalidInputError(
            f"'{text}' is not a valid version (PEP 440)", "use a form like 1.2.3, 1.2.3rc1 or 2.0"
        ) from error


def bumped(current: str, bump: Bump) -> str:
    """The next version.

    major/minor/patch bump that part and reset the ones after it; on a pre-release that is
    already at that level they finalize it instead (1.3.0rc2 --bump minor -> 1.3.0), as npm
    does. pre: 1.2.3 -> 1.2.4rc1, and 1.2.4rc1 -> 1.2.4rc2 (a1 -> a2, b1 -> b2).
    """
    version = parse(current)
    major, minor, patch = [*version.release, 0, 0, 0][:3]
    if bump == "pre":
        if version.pre is not None:
            kind, number = version.pre
            return f"{major}.{minor}.{patch}{kind}{number + 1}"
        return f"{major}.{minor}.{patch + 1}rc1"
    finalizing = version.is_prerelease and version.pre is not None
    if bump == "major":
        if finalizing and minor == 0 and patch == 0:
            return f"{major}.0.0"
        return f"{major + 1}.0.0"
    if bump == "minor":
        if finalizing and patch == 0:
            return f"{major}.{minor}.0"
        return f"{major}.{minor + 1}.0"
    if finalizing:
        return f"{major}.{minor}.{patch}"
    return f"{major}.{minor}.{patch + 1}"


@dataclass(frozen=True)
class VersionChange:
    """One package's version before and after."""

    package: Package
    old: str
    new: str


def select(
    workspace: Workspace,
    names: list[str],
    *,
    since: str | None,
    use_affected: bool,
    every: bool,
    changing: bool,
) -> list[Package]:
    """The packages `proto version` acts on: named, --affected, --all, or (to show) all."""
    from seedbed.affected import targets

    if every:
        if names or use_affected:
            raise InvalidInputError("--all goes without names and --affected")
        return list(workspace.packages)
    if names or use_affected or since:
        return targets(workspace, names, since, use_affected)
    if changing:
        raise InvalidInputError(
            "name the packages whose version to change",
            "or pass --affected (changed since a ref) or --all (every package)",
        )
    return list(workspace.packages)


def plan_versions(
    workspace: Workspace, packages: list[Package], bump: Bump | None, new: str | None
) -> list[VersionChange]:
    """What each package's version becomes; refuse invalid versions before writing."""
    if bump is not None and new is not None:
        raise InvalidInputError("use either --bump or --set, not both")
    if new is not None:
        new = str(parse(new))
    changes = []
    for package in packages:
        if not package.version and (bump is not None or new is not None):
            raise ProtoError(
                f"{package.path.as_posix()}/pyproject.toml has no static [project].version",
                'proto version edits `version = "X.Y.Z"` in [project]; set one there first',
            )
        target = new if new is not None else bumped(package.version, bump) if bump else None
        shown = package.version or "(dynamic)"
        changes.append(VersionChange(package, shown, target or shown))
    return changes


def apply(workspace: Workspace, changes: list[VersionChange]) -> None:
    """Write the new versions, then relock (the lock records workspace versions)."""
    from seedbed import tomledit, uv
    from seedbed.transaction import Transaction

    root = workspace.root
    with Transaction(root) as transaction:
        transaction.keep(root / "uv.lock")
        for change in changes:
            if change.new == change.old:
                continue
            manifest = root / change.package.path / "pyproject.toml"
            transaction.keep(manifest)
            document = tomledit.load(manifest)
            document["project"]["version"] = change.new
            tomledit.dump(manifest, document)
        uv.lock(root)
