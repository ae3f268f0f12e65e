"""`proto publish`: build each package on its own, pin its workspace siblings, validate, and
upload in dependency order with `uv publish`.

Sibling pins: a wheel that uv builds for a workspace member lists its siblings with no version
(uv issue 9811), so pip could pair it with any release of them (uv issue 20570). seedbed builds
from a scratch copy of the package whose manifest pins every workspace dependency to exactly
the version it has in the workspace (`name==X.Y.Z`): the combination the workspace tested is
the one users install. Extras and markers are kept.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from seedbed.effects import git, uv
from seedbed.effects.index import PYPI_UPLOAD, is_published, published_versions, simple_index
from seedbed.errors import InvalidInputError, ProtoError, ToolFailedError, redact, summarize
from seedbed.model.graph import Graph
from seedbed.model.names import is_valid_requirement, normalize
from seedbed.model.workspace import MANIFEST, Package, Workspace
from seedbed.operations import select

DIST_DIR = "dist"
SKIP_COPY = shutil.ignore_patterns(".venv", "__pycache__", "dist", "build", "*.egg-info", ".nox")


@dataclass(frozen=True)
class Release:
    """One package to publish, with the sibling versions its metadata will pin."""

    package: Package
    pins: dict[str, str]  # sibling distribution -> version

    @property
    def tag(self) -> str:
        """The git tag for this release: `<distribution>@<version>`."""
        return f"{self.package.distribution}@{self.package.version}"


@dataclass(frozen=True)
class PublishPlan:
    """What to build and upload, in dependency order, and where."""

    workspace: Workspace
    releases: tuple[Release, ...]
    publish_url: str
    check_url: str | None
    index_url: str  # where siblings that are not in this publish must already be
    tag: bool
    trusted_publishing: str | None = None
    empty_because: str | None = None  # why there is nothing to publish, when there is nothing
    skipped: tuple[tuple[str, str], ...] = ()  # (short name, why) for --unpublished
    warnings: tuple[tuple[str, str], ...] = ()  # (message, hint): things to know, not refusals


def plan_publish(
    workspace: Workspace,
    names: list[str],
    *,
    ref: str | None = None,
    use_affected: bool = False,
    unpublished: bool = False,
    publish_url: str = PYPI_UPLOAD,
    check_url: str | None = None,
    tag: bool = False,
    trusted_publishing: str | None = None,
) -> PublishPlan:
    """Order the packages and check, before anything is built, that every sibling they need
    is either in this publish or already on the index. With *unpublished*, only the packages
    whose version is not on the index yet (without names or --affected: every package that
    is on the index, at an older version)."""
    chosen = select.chosen(workspace, names, ref=ref, use_affected=use_affected,
                           every_hint="name the packages to publish instead")  # fmt: skip
    packages = chosen.packages
    if packages is None and not unpublished:
        raise InvalidInputError("name at least one package, or pass --affected or --unpublished")
    index_url = simple_index(publish_url, check_url)
    plan = PublishPlan(workspace, (), publish_url, check_url, index_url, tag, trusted_publishing,
                       warnings=(chosen.warning,) if chosen.warning else ())  # fmt: skip
    if packages == []:
        since = ref or select.default_ref(workspace.root)
        return replace(
            plan, empty_because=f"no package changed since {since}, and nothing depends on a "
            "changed one"
        )  # fmt: skip
    dynamic = [p.short for p in packages or () if not p.version]
    if dynamic:
        raise ProtoError(
            f"{', '.join(dynamic)} has no static [project].version, which publishing pins and tags",
            'set `version = "X.Y.Z"` in [project] (then `proto version` manages it)',
        )
    known: dict[str, set[str]] = {}
    skipped = [(p.short, "no static [project].version") for p in workspace.packages
               if packages is None and not p.version]  # fmt: skip
    if unpublished:
        candidates = packages or [p for p in workspace.packages if p.version]
        known = versions_on(index_url, candidates)
        packages = []
        for package in candidates:
            found = known[package.distribution]
            if is_published(found, package.version):
                skipped.append((package.short, f"{package.version} is on {index_url} already"))
            elif not found and not names and not use_affected:
                skipped.append((package.short, f"not on {index_url} yet: name it to publish "
                                "its first release"))  # fmt: skip
            else:
                packages.append(package)
        if not packages:
            return replace(
                plan, skipped=tuple(skipped), empty_because="every selected package's version "
                f"is on {index_url} already, or it was never published (name it to publish it)"
            )  # fmt: skip
    assert packages is not None
    releases = _releases(workspace, packages, index_url, known)
    warnings = list(plan.warnings)
    if tag:
        _check_taggable(workspace, releases)
        off_branch = _off_default_branch(workspace.root)
        if off_branch is not None:
            warnings.append(off_branch)
    return replace(plan, releases=tuple(releases), skipped=tuple(skipped),
                   warnings=tuple(warnings))  # fmt: skip


def versions_on(index_url: str, packages: list[Package]) -> dict[str, set[str]]:
    """The versions of each package on the index, asked in parallel (one request each); an
    index that cannot be asked is a ProtoError."""
    distributions = [package.distribution for package in packages]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda name: published_versions(index_url, name), distributions))
    unknown = [name for name, found in zip(distributions, answers, strict=True) if found is None]
    if unknown:
        raise ProtoError(
            f"cannot reach the package index {index_url} to see what is published "
            f"({', '.join(unknown[:3])}{' …' if len(unknown) > 3 else ''})",
            "check the URL (--check-url) and your network",
        )
    return {name: found or set() for name, found in zip(distributions, answers, strict=True)}


def _releases(
    workspace: Workspace, packages: list[Package], index_url: str, known: dict[str, set[str]]
) -> list[Release]:
    """The releases in dependency order, each with its sibling pins; refuse when a sibling is
    neither in this publish nor on the index."""
    graph = Graph.of(workspace)
    chosen = {p.short for p in packages}
    releases = []
    missing: list[str] = []
    for short in graph.order(chosen):
        package = graph.packages[short]
        broken = [r for r in package.requirements if not is_valid_requirement(r)]
        if broken:
            raise ProtoError(
                f"{package.manifest}: {broken[0]!r} is not a valid requirement (PEP 508)",
                "fix it by hand, e.g. `name>=1.0`",
            )
        pins = {}
        for provider in graph.dependencies(short):
            sibling = graph.packages[provider]
            pins[sibling.distribution] = sibling.version
            if provider in chosen:
                continue
            found = known.get(sibling.distribution)
            if found is None:
                found = versions_on(index_url, [sibling])[sibling.distribution]
            if not is_published(found, sibling.version):
                missing.append(f"{package.short} needs {sibling.distribution}=={sibling.version}")
        releases.append(Release(package, pins))
    if missing:
        raise ProtoError(
            "nothing was published: siblings are neither on the index nor in this publish: "
            + "; ".join(missing),
            "publish them in the same run (name them too), or publish them first",
        )
    return releases


def _check_taggable(workspace: Workspace, releases: list[Release]) -> None:
    """--tag tags HEAD: refuse uncommitted package files and tags that exist."""
    dirty = git.uncommitted(workspace.root, [r.package.path.as_posix() for r in releases])
    if dirty:
        raise ProtoError(
            f"--tag would tag HEAD, but these files are not committed: {', '.join(dirty[:5])}",
            "commit them first, so the tag matches what is published",
        )
    existing = git.tags(workspace.root)
    taken = [r.tag for r in releases if r.tag in existing]
    if taken:
        raise ProtoError(
            f"git tags already exist: {', '.join(taken)}",
            "bump the versions first (`proto version NAME --bump patch`)",
        )


def _off_default_branch(root: Path) -> tuple[str, str] | None:
    """A warning when HEAD is not on the default branch (the tags would point at commits that
    may never reach it); None when it is, or when there is no default branch to tell."""
    default = select.default_ref(root)
    if default == "HEAD":  # no remote: the local main or master, if there is one
        default = next((b for b in ("main", "master") if git.rev_parse(root, f"refs/heads/{b}")),
                       "")  # fmt: skip
        if not default:
            return None
    branch = git.run_git(["rev-parse", "--abbrev-ref", "HEAD"], root).strip()
    name = default.removeprefix("origin/")
    if branch == name:
        return None
    head = git.rev_parse(root, "HEAD")
    if git.run_git(["merge-base", "HEAD", default], root, ok=(0, 1)).strip() == head:
        return None  # HEAD is on the default branch already (merged, or a detached checkout)
    where = "a detached HEAD" if branch == "HEAD" else f"the branch '{branch}'"
    return (
        f"--tag tags commits on {where}, which {name} does not have: the tags may point at "
        f"commits that never reach {name}",
        f"tag on {name} once the change is merged (`git tag --delete TAG` removes a tag)",
    )


@dataclass
class PublishResult:
    """What happened, package by package."""

    built: dict[str, list[Path]] = field(default_factory=dict)
    uploaded: list[str] = field(default_factory=list)
    tagged: list[str] = field(default_factory=list)


def pinned_requirement(requirement: str, pins: dict[str, str]) -> str:
    """*requirement* with its version set to the workspace version, if it names a sibling."""
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet

    parsed = Requirement(requirement)
    for name, version in pins.items():
        if normalize(parsed.name) == normalize(name):
            if parsed.specifier and not parsed.specifier.contains(version, prereleases=True):
                raise ProtoError(
                    f"'{requirement}' does not admit the workspace version {version} of {name}",
                    "fix the requirement or the sibling's version",
                )
            parsed.specifier = SpecifierSet(f"=={version}")
            return str(parsed)
    return requirement


def build(plan: PublishPlan, release: Release) -> list[Path]:
    """Build one package from a scratch copy with pinned siblings into dist/<name>/."""
    from seedbed.effects import tomledit

    root = plan.workspace.root
    package = release.package
    out = root / DIST_DIR / package.short
    if out.exists():
        shutil.rmtree(out)
    with tempfile.TemporaryDirectory(prefix="proto-build-") as scratch:
        copy = Path(scratch) / package.short
        shutil.copytree(root / package.path, copy, ignore=SKIP_COPY)
        manifest = copy / MANIFEST
        document = tomledit.load(manifest)
        dependencies = document["project"].get("dependencies", [])
        for index, requirement in enumerate(list(dependencies)):
            dependencies[index] = pinned_requirement(str(requirement), release.pins)
        tomledit.dump(manifest, document)
        uv.run_uv(["build", "--no-sources", "--quiet", "--out-dir", str(out), str(copy)], root)
    files = sorted(p for p in out.iterdir() if p.name.endswith((".whl", ".tar.gz")))
    validate(files)
    return files


def validate(files: list[Path]) -> None:
    """What `twine check --strict` checks: metadata fields and a README that renders."""
    command = [sys.executable, "-m", "twine", "check", "--strict", *map(str, files)]
    env = {**os.environ, "COLUMNS": "1000", "NO_COLOR": "1"}  # one line per file, no wrapping
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if result.returncode != 0:
        output = result.stdout + result.stderr
        failed = [
            Path(words[1].rstrip(":")).name
            for words in (line.split() for line in output.splitlines())
            if len(words) > 1 and words[0] == "Checking" and "PASSED" not in words
        ]
        names = ", ".join(failed) or "a distribution"
        raise ProtoError(
            f"{names} would be rejected or shown broken on the index: " + summarize(output)[0],
            "run `twine check --strict dist/*/*` for the details; often the README does not render",
        )


def upload(plan: PublishPlan, release: Release, files: list[Path]) -> None:
    """`uv publish` one package's files."""
    args = ["publish", "--publish-url", plan.publish_url]
    if plan.check_url:
        args += ["--check-url", plan.check_url]
    if plan.trusted_publishing:
        args += ["--trusted-publishing", plan.trusted_publishing]
    try:
        uv.run_uv([*args, *map(str, files)], plan.workspace.root)
    except ToolFailedError as error:
        package = release.package
        if "Missing credentials" in error.output:
            raise ProtoError(
                f"no credentials to upload to {plan.publish_url}",
                "set UV_PUBLISH_TOKEN (or UV_PUBLISH_USERNAME and UV_PUBLISH_PASSWORD), use "
                "keyring, or --trusted-publishing always in GitHub Actions",
            ) from error
        if "409" in error.output or "already exists" in error.output:
            raise ProtoError(
                f"{package.distribution} {package.version} is already on {plan.publish_url}",
                f"bump it (`proto version {package.short} --bump patch`), or pass --check-url "
                "INDEX-URL to skip files that are already there",
            ) from error
        raise ToolFailedError(["uv", "publish"], error.output) from error


def apply(plan: PublishPlan, *, dry_run: bool = False) -> PublishResult:
    """Build and validate everything first; then upload (and tag) in dependency order."""
    result = PublishResult()
    for release in plan.releases:
        result.built[release.package.short] = build(plan, release)
    if dry_run:
        return result
    for release in plan.releases:
        try:
            upload(plan, release, result.built[release.package.short])
        except ProtoError as error:
            done = ", ".join(result.uploaded) or "nothing"
            left = [
                r.package.short for r in plan.releases if r.package.short not in result.uploaded
            ]
            raise ProtoError(
                f"uploading {release.package.short} failed: {error.message} "
                f"(uploaded: {done}; not uploaded: {', '.join(left)})",
                error.hint
                or "fix the cause and publish the rest again (`--check-url` skips "
                "files that are already there)",
            ) from error
        result.uploaded.append(release.package.short)
        if plan.tag:
            git.run_git(["tag", release.tag], plan.workspace.root)
            result.tagged.append(release.tag)
    return result


def summary(plan: PublishPlan, result: PublishResult) -> dict[str, object]:
    """A JSON-ready report."""
    return {
        "publish_url": redact(plan.publish_url),
        "packages": [
            {
                "name": r.package.short,
                "distribution": r.package.distribution,
                "version": r.package.version,
                "pins": r.pins,
                "files": [
                    f.relative_to(plan.workspace.root).as_posix()
                    for f in result.built.get(r.package.short, [])
                ],
                "uploaded": r.package.short in result.uploaded,
                "tag": r.tag if r.tag in result.tagged else None,
            }
            for r in plan.releases
        ],
        "skipped": [{"name": name, "reason": why} for name, why in plan.skipped],
    }
