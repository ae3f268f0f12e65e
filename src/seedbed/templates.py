"""The embedded Copier templates, served to Copier as a git repository under a portable URL.

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
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from seedbed import __version__
from seedbed.errors import ToolFailedError

TEMPLATE_URL = "https://seedbed.invalid/templates.git"
TEMPLATE_TAG = f"v{__version__}"
_FIXED_DATE = "2000-01-01T00:00:00+0000"


def embedded_templates() -> Path:
    """The templates folder: inside the installed package, or the repo's `templates/` in dev."""
    packaged = Path(__file__).parent / "templates"
    if (packaged / "copier.yml").is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def _fingerprint(folder: Path) -> str:
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "seedbed" / "templates"


def _git(args: list[str], cwd: Path) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "seedbed",
        "GIT_AUTHOR_EMAIL": "seedbed@invalid",
        "GIT_COMMITTER_NAME": "seedbed",
        "GIT_COMMITTER_EMAIL": "seedbed@invalid",
        "GIT_AUTHOR_DATE": _FIXED_DATE,
        "GIT_COMMITTER_DATE": _FIXED_DATE,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise ToolFailedError(["git", *args], result.stderr)


def template_repository() -> Path:
    """A local git repository of the embedded templates, tagged with this seedbed's version.

    Built once per template content and cached; commits use fixed dates and identity, so
    every machine builds the same commit for the same templates.
    """
    source = embedded_templates()
    target = _cache_dir() / f"{__version__}-{_fingerprint(source)}"
    if (target / ".git").is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
    try:
        shutil.copytree(
            source, staging, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
        )
        _git(["init", "--quiet", "--initial-branch=main"], staging)
        _git(["add", "--all"], staging)
        _git(
            ["commit", "--quiet", "--no-gpg-sign", "-m", f"seedbed templates {__version__}"],
            staging,
        )
        _git(["tag", TEMPLATE_TAG], staging)
        try:
            staging.rename(target)
        except OSError:  # another process built it first
            if not (target / ".git").is_dir():
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return target


def git_url_rewrite(environ: Mapping[str, str]) -> dict[str, str]:
    """Environment variables that make git fetch TEMPLATE_URL from the local template repo.

    They are appended after any `GIT_CONFIG_*` entries already in *environ*.
    """
    local = template_repository()
    index = int(environ.get("GIT_CONFIG_COUNT", "0") or 0)
    return {
        "GIT_CONFIG_COUNT": str(index + 1),
        f"GIT_CONFIG_KEY_{index}": f"url.{local.as_uri()}.insteadOf",
        f"GIT_CONFIG_VALUE_{index}": TEMPLATE_URL,
    }
