"""Package kinds: the built-in ones (lib, cli, app) and the team's own, from
`[tool.proto.kinds]` in the root pyproject.toml:

    [tool.proto.kinds]
    widget = "templates/widget"                                   # a folder in this repo
    service = { url = "https://github.com/acme/service-template.git", version = "v1.2.0" }

A folder kind is served to Copier under `https://seedbed.invalid/workspace/<folder>.git` from a
repository built out of the folder's own git history, so its packages can be updated later on
every teammate's machine. A git kind is used as it is, at the given version (a tag or commit).
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from seedbed.effects import git
from seedbed.errors import ProtoError, ToolFailedError, redact, summarize
from seedbed.model.names import validate_name
from seedbed.model.workspace import MANIFEST, Workspace
from seedbed.templating import history
from seedbed.templating.source import (
    TEMPLATE_TAG,
    TEMPLATE_URL,
    Source,
    builtin_source,
    cache_dir,
)

BUILTIN = {
    "lib": "a library",
    "cli": "a typer command with a console script",
    "app": "a small Starlette web app",
}
WORKSPACE_URL = "https://seedbed.invalid/workspace/"


@dataclass(frozen=True)
class Kind:
    """Where a kind's template comes from."""

    name: str
    url: str  # what Copier is given and records as _src_path
    version: str | None  # tag or commit to render; None: the latest tag
    folder: str | None = None  # for a folder kind: its path in the workspace
    description: str = ""

    @property
    def builtin(self) -> bool:
        """True for lib, cli and app."""
        return self.url == TEMPLATE_URL

    def describe(self) -> str:
        """Where the template comes from, for people."""
        if self.builtin:
            return f"built in (seedbed templates {TEMPLATE_TAG})"
        if self.folder is not None:
            return f"{self.folder} (this repository)"
        return f"{redact(self.url)} @ {self.version or 'latest tag'}"


def load(workspace: Workspace) -> dict[str, Kind]:
    """Every kind on offer, built-in first."""
    kinds = {
        name: Kind(name, TEMPLATE_URL, TEMPLATE_TAG, description=text)
        for name, text in BUILTIN.items()
    }
    config = workspace.proto_config.get("kinds", {})
    where = f"{workspace.root / MANIFEST} [tool.proto.kinds]"
    if not isinstance(config, dict):
        raise ProtoError(f"{where} must be a table of kind = template")
    for name, value in config.items():
        validate_name(name, "kind name")
        if name in BUILTIN:
            raise ProtoError(f"{where}: '{name}' is a built-in kind", "give yours another name")
        if isinstance(value, str):
            value = {"path": value} if "://" not in value and ":" not in value else {"url": value}
        if not isinstance(value, dict):
            raise ProtoError(f"{where}: '{name}' must be a path, a URL or a table")
        if "path" in value:
            folder = Path(str(value["path"])).as_posix().strip("/")
            if Path(str(value["path"])).is_absolute() or ".." in Path(folder).parts:
                raise ProtoError(
                    f"{where}: '{name}' points at {value['path']}, outside this repository",
                    "a folder kind is a folder of the workspace; use a url for anything else",
                )
            if (
                not (workspace.root / folder / "copier.yml").is_file()
                and not (workspace.root / folder / "copier.yaml").is_file()
            ):
                raise ProtoError(f"{where}: '{name}' points at {folder}, which has no copier.yml")
            kinds[name] = Kind(name, f"{WORKSPACE_URL}{folder}.git", None, folder)
        elif "url" in value:
            version = value.get("version")
            kinds[name] = Kind(name, str(value["url"]), str(version) if version else None)
        else:
            raise ProtoError(f"{where}: '{name}' needs a path or a url")
    return kinds


def kind_for_source(workspace: Workspace, url: str) -> Kind | None:
    """The configured kind whose template is *url* (to update its packages)."""
    for kind in load(workspace).values():
        if kind.url == url:
            return kind
    if url.startswith(WORKSPACE_URL) and url.endswith(".git"):
        folder = url[len(WORKSPACE_URL) : -len(".git")]
        return Kind(folder, url, None, folder)
    return None


def latest_tag(tags: set[str]) -> str | None:
    """The tag Copier takes when no version is asked for: the highest PEP 440 version that is
    not a pre-release (`v1.2.0` counts as 1.2.0)."""
    from packaging.version import InvalidVersion, Version

    releases = []
    for tag in tags:
        try:
            version = Version(tag)
        except InvalidVersion:
            continue
        if not version.is_prerelease:
            releases.append((version, tag))
    return max(releases)[1] if releases else None


def resolve(workspace: Workspace, kind: Kind, override: str | None = None) -> Source:
    """Make the kind's template reachable (building a folder kind's repository if needed);
    a git kind without a version is pinned to its latest tag, as Copier would pick it."""
    if kind.builtin:
        return builtin_source(override)
    if kind.folder is None:
        return Source(kind.url, kind.version or latest_git_tag(kind.url), {})
    repo, head = folder_repository(workspace, kind.folder)
    return Source(kind.url, head, {kind.url: repo})


def latest_git_tag(url: str, recorded_in: str | None = None) -> str | None:
    """The latest release tag of the template repository at *url* (None: it has none, and
    Copier takes its default branch); a repository git cannot reach is a ProtoError (that
    names the file that *recorded* the URL, if given)."""
    try:
        return latest_tag(git.remote_tags(url))
    except ToolFailedError as error:
        detail = summarize(error.output)[0]
        where = f" (recorded in {recorded_in})" if recorded_in else ""
        raise ProtoError(
            f"cannot reach the template repository {url}{where}"
            + (f": {detail}" if detail else ""),
            "check the URL and your network or credentials (`git ls-remote URL` shows the "
            "same); a URL that moved can be redirected with git's url.NEW.insteadOf",
        ) from error


def folder_repository(workspace: Workspace, folder: str) -> tuple[Path, str]:
    """The (cached) repository of a workspace folder's committed history, and its head."""
    root = workspace.root
    git.require_clean(
        root,
        [folder],
        f"the template folder {folder}",
        "commit them first: packages record the template version they were made from",
    )
    tree = git.run_git(["rev-parse", f"HEAD:{folder}"], root).strip()
    head = git.run_git(["rev-parse", "HEAD"], root).strip()
    key = hashlib.sha256(f"{folder}\0{tree}\0{head}".encode()).hexdigest()[:16]
    target = cache_dir("kinds") / key
    marker = target / "seedbed-head"
    if marker.is_file():
        return target, marker.read_text().strip()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".build-", dir=target.parent) as scratch:
        built = Path(scratch) / "repo"
        try:
            synthetic = history.folder_history(root, folder, built)
        except history.HistoryError as error:
            raise ProtoError(f"cannot read the history of {folder}: {error}") from error
        (built / "seedbed-head").write_text(synthetic + "\n")
        try:
            built.rename(target)
        except OSError:
            if not marker.is_file():
                raise
    return target, marker.read_text().strip()
