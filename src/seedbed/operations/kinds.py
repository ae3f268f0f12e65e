"""`proto kinds`: the package kinds on offer, built in and the team's own."""

from __future__ import annotations

from typing import Any

from seedbed.errors import redact
from seedbed.model.workspace import Workspace
from seedbed.templating import kinds


def plan_kinds(workspace: Workspace) -> list[kinds.Kind]:
    """Every kind, built-in first."""
    return list(kinds.load(workspace).values())


def records(found: list[kinds.Kind]) -> list[dict[str, Any]]:
    """The `--json` form."""
    return [
        {
            "name": kind.name,
            "builtin": kind.builtin,
            "source": redact(kind.url),
            "version": kind.version,
            "path": kind.folder,
            "description": kind.description,
        }
        for kind in found
    ]
