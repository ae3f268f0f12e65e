"""TOML edits keep the file's own layout: comments, order, and a blank line between tables."""

from __future__ import annotations

import pytest
import tomlkit

from seedbed.effects import tomledit


@pytest.mark.parametrize(
    "after",
    ["[tool.ruff]\nline-length = 100\n", "[dependency-groups]\ndev = []\n"],
    ids=["tool-table", "other-table"],
)
def test_a_new_sources_table_is_set_apart_from_the_next_table(after: str) -> None:
    text = f'[project]\nname = "x"\ndependencies = []\n\n[tool.uv]\npackage = true\n\n{after}'
    document = tomlkit.parse(text)
    assert tomledit.add_workspace_dependencies(document, ["acme-a"]) == ["acme-a"]
    assert tomledit.dumps(document) == (
        '[project]\nname = "x"\ndependencies = [\n    "acme-a",\n]\n\n[tool.uv]\npackage = true\n\n'
        f"[tool.uv.sources]\nacme-a = {{ workspace = true }}\n\n{after}"
    )


def test_a_new_sources_table_at_the_end_ends_the_file_once() -> None:
    document = tomlkit.parse('[project]\nname = "x"\ndependencies = ["acme-z"]  # ours\n')
    tomledit.add_workspace_dependencies(document, ["acme-z"])
    assert tomledit.dumps(document) == (
        '[project]\nname = "x"\ndependencies = ["acme-z"]  # ours\n\n'
        "[tool.uv.sources]\nacme-z = { workspace = true }\n"
    )
