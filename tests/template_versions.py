"""Test support: a template history with an older version (v0.0.9) before this seedbed's
(v0.1.0), and workspaces made from that older version, as an older seedbed would have."""

from __future__ import annotations

import shutil
from pathlib import Path

from seedbed import __version__, history, scaffold
from seedbed.templates import TEMPLATE_URL, Source, embedded_templates
from tests.conftest import run

OLD = "v0.0.9"


def old_templates(target: Path) -> None:
    """Today's templates, turned back into 'v0.0.9': before a ruff rule, two files and a
    README rewrite were added."""
    shutil.copytree(embedded_templates(), target, ignore=shutil.ignore_patterns("__pycache__"))
    root_toml = target / "workspace/pyproject.toml.jinja"
    text = root_toml.read_text()
    assert '"UP", "B"]' in text
    root_toml.write_text(text.replace('"UP", "B"]', '"UP"]'))
    (target / "workspace/.vscode/extensions.json").unlink()
    (target / "package/src/{{ import_path }}/py.typed").unlink()
    readme = target / "package/README.md.jinja"
    readme.write_text(
        readme.read_text().replace("{{ description }}", "{{ description }}\n\nTODO: say more.")
    )


def make_history(tmp: Path) -> Path:
    """A bundle with tags v0.0.9 (old_templates) and v<this version> (today's templates)."""
    source = tmp / "seedbed-src"
    source.mkdir()
    run("git", "init", "-q", cwd=source)
    old_templates(source / "templates")
    run("git", "add", "-A", cwd=source)
    run("git", "commit", "-qm", "templates 0.0.9", cwd=source)
    run("git", "tag", OLD, cwd=source)
    repo = history.build(embedded_templates(), __version__, tmp / "history", source)
    return history.bundle(repo, tmp / "templates.bundle")


def render_old(bundle: Path, data: dict[str, object], into: Path) -> None:
    """Render the old version, as seedbed 0.0.9 would have."""
    scaffold.render(data, into, Source(TEMPLATE_URL, OLD, {TEMPLATE_URL: bundle}))
