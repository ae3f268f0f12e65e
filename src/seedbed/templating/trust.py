"""What a rendered package would run when it is built: `uv lock` builds the metadata of every
member with dynamic metadata or a custom backend, so a team template could run its own code on
`proto new` or `proto update` without anyone asking. Without `--trust`, such a package is
refused before anything is built or locked.

Code from a package on an index (a build backend, a hatch plugin named in
`[build-system] requires`) is not template code: it is what every Python build runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seedbed.model.workspace import MANIFEST, read_toml

# Backends that run no code from the project they build, unless one of the hooks below asks.
KNOWN_BACKENDS = frozenset(
    {
        "hatchling.build",
        "flit_core.buildapi",
        "pdm.backend",
        "poetry.core.masonry.api",
        "uv_build",
        "setuptools.build_meta",
    }
)
BUILD_SCRIPTS = ("setup.py", "hatch_build.py", "pdm_build.py", "build.py")


def _get(data: dict[str, Any], *keys: str) -> Any:  # noqa: ANN401 (TOML is untyped)
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)  # type: ignore[assignment]
    return data


def build_risks(folder: Path) -> list[str]:
    """Why building the package at *folder* would run code that came with it (empty: none)."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return []
    data = read_toml(manifest)
    risks = []
    system = _get(data, "build-system") or {}
    backend = system.get("build-backend") if isinstance(system, dict) else None
    if isinstance(system, dict) and "backend-path" in system:
        risks.append("an in-tree build backend ([build-system] backend-path)")
    if backend is not None and backend not in KNOWN_BACKENDS:
        risks.append(f"the build backend '{backend}', which seedbed does not know")
    requires = system.get("requires", []) if isinstance(system, dict) else []
    for requirement in requires if isinstance(requires, list) else []:
        text = str(requirement)
        if text.startswith((".", "/", "file:")) or "@ file:" in text or " @ ." in text:
            risks.append(f"a build requirement from the template's own files ({text})")
    risks += [f"{name}, which the build runs" for name in BUILD_SCRIPTS if (folder / name).exists()]
    hatch_build = _get(data, "tool", "hatch", "build") or {}
    targets = hatch_build.get("targets", {}) if isinstance(hatch_build, dict) else {}
    hook_tables = [
        ("tool.hatch.build.hooks", _get(hatch_build, "hooks")),
        ("tool.hatch.metadata.hooks", _get(data, "tool", "hatch", "metadata", "hooks")),
    ]
    if isinstance(targets, dict):
        hook_tables += [
            (f"tool.hatch.build.targets.{name}.hooks", _get(target, "hooks"))
            for name, target in targets.items()
        ]
    for where, hooks in hook_tables:
        if isinstance(hooks, dict) and "custom" in hooks:
            risks.append(f"a custom hatch hook ([{where}.custom])")
    if _get(data, "tool", "hatch", "version", "source") == "code":
        risks.append('a version read by running code ([tool.hatch.version] source = "code")')
    if _get(data, "tool", "setuptools", "dynamic", "version", "attr") is not None:
        risks.append("a version read by importing the package ([tool.setuptools.dynamic])")
    if _get(data, "tool", "pdm", "build", "custom-hook") is not None:
        risks.append("a custom pdm build hook ([tool.pdm.build] custom-hook)")
    if _get(data, "tool", "poetry", "build", "script") is not None:
        risks.append("a poetry build script ([tool.poetry.build] script)")
    return risks
