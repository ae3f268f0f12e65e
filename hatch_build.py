"""Build hook: ship the template history inside the wheel as `seedbed/templates.bundle`.

The history holds every released template version (from this repository's `v*` tags) plus the
current templates, so `proto update` can 3-way merge from whatever version made a workspace,
offline. Release step: bump `seedbed.__version__` whenever templates change, and tag the
release commit `vX.Y.Z`; the next build then carries that version in its history.
"""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def _history_module() -> ModuleType:
    path = Path(__file__).parent / "src" / "seedbed" / "templating" / "history.py"
    spec = importlib.util.spec_from_file_location("_seedbed_history", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TemplateHistoryHook(BuildHookInterface):  # type: ignore[misc]
    """Adds templates.bundle to regular (not editable) wheels."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        history = _history_module()
        scratch = Path(tempfile.mkdtemp(prefix="seedbed-history-"))
        source = root if (root / ".git").exists() else None
        package_version = self.metadata.version
        repo = history.build(root / "templates", package_version, scratch / "repo", source)
        bundle = history.bundle(repo, scratch / "templates.bundle")
        build_data["force_include"][str(bundle)] = "seedbed/templates.bundle"
