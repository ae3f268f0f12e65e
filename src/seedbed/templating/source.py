"""Where templates come from: the embedded Copier templates, served to Copier as a git
repository under a portable URL.

Copier can only update a project whose template came from git, and it records the template's
source in each answers file. Recording the local path of an installed seedbed would break on
every teammate's machine, so the answers files record `TEMPLATE_URL` instead, and while Copier
runs, git's own URL rewriting (`url.<local>.insteadOf`, passed through the environment) points
that URL at a local repository built from the templates shipped inside this distribution. No
network is needed.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from seedbed import __version__
from seedbed.effects import git
from seedbed.errors import ProtoError
from seedbed.templating import history

TEMPLATE_URL = "https://seedbed.invalid/templates.git"
TEMPLATE_TAG = f"v{__version__}"
PACKAGE_DIR = Path(__file__).parents[1]  # seedbed/, where the wheel puts templates/ and the bundle


def embedded_templates() -> Path:
    """The templates folder: inside the installed package, or the repo's `templates/` in dev."""
    packaged = PACKAGE_DIR / "templates"
    if (packaged / "copier.yml").is_file():
        return packaged
    return PACKAGE_DIR.resolve().parents[1] / "templates"


HISTORY_ENV = "SEEDBED_TEMPLATE_HISTORY"


@dataclass(frozen=True)
class Source:
    """What Copier needs to reach a template: the URL it records, the ref to render, and the
    git URL rewrites (URL -> local repository, bundle or other URL) that make it reachable."""

    url: str
    ref: str | None
    rewrites: dict[str, Path | str]
    # A folder that holds exactly the files of `ref`: Copier renders from it with no git work,
    # and the answers file is stamped with `url` and `ref` as if it had cloned them.
    folder: Path | None = None


def builtin_source(override: str | None = None) -> Source:
    """The built-in templates at this seedbed's version, from the embedded history (or from
    *override*, a git URL or path the team names, e.g. with `--template-source`)."""
    if override:
        return Source(TEMPLATE_URL, TEMPLATE_TAG, {TEMPLATE_URL: override})
    return Source(
        TEMPLATE_URL, TEMPLATE_TAG, {TEMPLATE_URL: template_history()}, embedded_templates()
    )


def _fingerprint(folder: Path, extra: str) -> str:
    digest = hashlib.sha256(f"{__version__}\0{extra}".encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def cache_dir(kind: str) -> Path:
    """seedbed's cache folder for *kind* (XDG_CACHE_HOME, else ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "seedbed" / kind


def template_history() -> Path:
    """The git repository (or bundle) that holds every template version up to this seedbed's.

    In order: the path in $SEEDBED_TEMPLATE_HISTORY (for template maintainers), the bundle
    shipped inside the wheel, or, when seedbed runs from a checkout, a repository built from
    the checkout's release tags plus the working templates (cached by content).
    """
    override = os.environ.get(HISTORY_ENV)
    if override:
        path = Path(override).expanduser().resolve()
        if not path.exists():
            raise ProtoError(f"${HISTORY_ENV} points at {path}, which does not exist")
        return path
    packaged = PACKAGE_DIR / "templates.bundle"
    if packaged.is_file():
        return packaged
    source = embedded_templates()
    checkout = source.parent if (source.parent / ".git").exists() else None
    tags = ""
    if checkout is not None:
        tags = git.run_git(["show-ref", "--tags"], checkout, ok=(0, 1))
    target = cache_dir("templates") / f"{__version__}-{_fingerprint(source, tags)}"
    if (target / "HEAD").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".build-", dir=target.parent) as scratch:
        try:
            built = history.build(source, __version__, Path(scratch) / "repo", checkout)
        except history.HistoryError as error:
            raise ProtoError(f"cannot build the template history: {error}") from error
        try:
            built.rename(target)
        except OSError:  # another process built it first
            if not (target / "HEAD").is_file():
                raise
    return target


def url_rewrite(environ: Mapping[str, str], sources: Mapping[str, Path | str]) -> dict[str, str]:
    """Environment variables that make git fetch each URL in *sources* from the given local
    repository, bundle or URL (a plain path: git reads bundles only through plain paths).

    They are appended after any `GIT_CONFIG_*` entries already in *environ*.
    """
    index = int(environ.get("GIT_CONFIG_COUNT", "0") or 0)
    added: dict[str, str] = {}
    for offset, (url, local) in enumerate(sources.items()):
        added[f"GIT_CONFIG_KEY_{index + offset}"] = f"url.{local}.insteadOf"
        added[f"GIT_CONFIG_VALUE_{index + offset}"] = url
    added["GIT_CONFIG_COUNT"] = str(index + len(sources))
    return added
