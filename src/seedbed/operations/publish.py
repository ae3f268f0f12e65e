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
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from seedbed.effects import git, uv
from seedbed.errors import InvalidInputError, ProtoError, ToolFailedError, summarize
from seedbed.model.graph import Graph
from seedbed.model.names import normalize
from seedbed.model.workspace import MANIFEST, Package, Workspace
from seedbed.operations import select

PYPI_UPLOAD = "https://upload.pypi.org/legacy/"
PYPI_SIMPLE = "https://pypi.org/simple/"
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


def simple_index(publish_url: str, check_url: str | None) -> str:
    """The simple index that answers 'is this version published?'."""
    if check_url:
        return check_url
    if publish_url == PYPI_UPLOAD:
        return PYPI_SIMPLE
    return urljoin(publish_url.rstrip("/") + "/", "simple/")


def published_versions(index_url: str, distribution: str) -> set[str] | None:
    """Versions of *distribution* on a PEP 503/691 simple index; None if it cannot be asked."""
    url = urljoin(index_url.rstrip("/") + "/", normalize(distribution) + "/")
    if not url.startswith(("http://", "https://")):
        return None
    request = urllib.request.Request(url, headers={"Accept": "text/html"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            page = response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        return set() if error.code == 404 else None
    except (urllib.error.URLError, OSError, ValueError):
        return None
    prefix = normalize(distribution).replace("-", "_")
    versions = set()
    for chunk in page.split(">"):
        name = chunk.split("<")[0].strip()
        for suffix in (".tar.gz", ".whl"):
            if name.endswith(suffix) and normalize(name).replace("-", "_").startswith(prefix):
                rest = name[len(prefix) + 1 : -len(suffix)]
                versions.add(rest.split("-")[0])
    return versions


def plan_publish(
    workspace: Workspace,
    names: list[str],
    *,
    ref: str | None = None,
    use_affected: bool = False,
    publish_url: str = PYPI_UPLOAD,
    check_url: str | None = None,
    tag: bool = False,
    trusted_publishing: str | None = None,
) -> PublishPlan:
    """Order the packages and check, before anything is built, that every sibling they need
    is either in this publish or already on the index."""
    packages = select.chosen(workspace, names, ref=ref, use_affected=use_affected)
    if packages is None:
        raise InvalidInputError("name at least one package, or pass --affected")
    index_url = simple_index(publish_url, check_url)
    if not packages:
        since = ref or select.default_ref(workspace.root)
        return PublishPlan(
            workspace, (), publish_url, check_url, index_url, tag, trusted_publishing,
            f"no package changed since {since}, and nothing depends on a changed one",
        )  # fmt: skip
    graph = Graph.of(workspace)
    dynamic = [p.short for p in packages if not p.version]
    if dynamic:
        raise ProtoError(
            f"{', '.join(dynamic)} has no static [project].version, which publishing pins and tags",
            'set `version = "X.Y.Z"` in [project] (then `proto version` manages it)',
        )
    chosen = {p.short for p in packages}
    releases = []
    missing: list[str] = []
    for short in graph.order(chosen):
        package = graph.packages[short]
        pins = {}
        for provider in graph.dependencies(short):
            sibling = graph.packages[provider]
            pins[sibling.distribution] = sibling.version
            if provider in chosen:
                continue
            found = published_versions(index_url, sibling.distribution)
            if found is None:
                raise ProtoError(
                    f"cannot reach the package index {index_url} to check that "
                    f"{sibling.distribution}=={sibling.version} is published",
                    "check the URL and your network, or publish it in the same run",
                )
            if sibling.version not in found:
                missing.append(f"{package.short} needs {sibling.distribution}=={sibling.version}")
        releases.append(Release(package, pins))
    if missing:
        raise ProtoError(
            "nothing was published: siblings are neither on the index nor in this publish: "
            + "; ".join(missing),
            "publish them in the same run (name them too), or publish them first",
        )
    if tag:
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
    return PublishPlan(
        workspace, tuple(releases), publish_url, check_url, index_url, tag, trusted_publishing
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
        "publish_url": plan.publish_url,
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
    }
