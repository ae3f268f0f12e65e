"""Pure logic: finding the workspace, reading packages, summarising tool errors, TOML edits."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomlkit
from hypothesis import given
from hypothesis import strategies as st

from seedbed.effects import tomledit
from seedbed.errors import NotAWorkspaceError, ProtoError, summarize
from seedbed.model import workspace

ROOT_TOML = '[tool.uv.workspace]\nmembers = ["core/*", "seeds/*"]\n\n[tool.proto]\nscope = "acme"\n'


def member(root: Path, rel: str, name: str, deps: list[str] | None = None) -> None:
    folder = root / rel
    folder.mkdir(parents=True)
    deps_toml = ", ".join(f'"{d}"' for d in deps or [])
    (folder / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "1.2.3"\ndependencies = [{deps_toml}]\n'
    )


def test_find_root_walks_up_past_member_manifests(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(ROOT_TOML)
    member(tmp_path, "seeds/a", "acme-a")
    deep = tmp_path / "seeds/a/src/acme/a"
    deep.mkdir(parents=True)
    assert workspace.find_root(deep)[0] == tmp_path


def test_find_root_outside_any_workspace(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n')
    with pytest.raises(NotAWorkspaceError) as caught:
        workspace.find_root(tmp_path)
    assert caught.value.hint is not None
    assert "proto init" in caught.value.hint


def test_corrupt_root_manifest_is_named(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(ROOT_TOML + "oops = \n")
    with pytest.raises(ProtoError, match="is not valid TOML"):
        workspace.load(tmp_path)


def test_load_reads_packages_of_both_stages(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(ROOT_TOML)
    member(tmp_path, "seeds/b", "acme-b", ["acme-a>=1", "requests"])
    member(tmp_path, "core/a", "acme-a")
    (tmp_path / "seeds/notes").mkdir()  # no manifest: not a package, but its name is taken
    loaded = workspace.load(tmp_path / "seeds")
    assert [(p.short, p.stage, p.path.as_posix()) for p in loaded.packages] == [
        ("a", "core", "core/a"),
        ("b", "seed", "seeds/b"),
    ]
    assert loaded.get("acme-b").requirements == ("acme-a>=1", "requests")
    assert loaded.get("ACME_A").short == "a"
    assert "notes" in loaded.taken_names()
    with pytest.raises(ProtoError, match="no package named 'zed'"):
        loaded.get("zed")


def test_summarize_uv_error_with_wrapped_cause() -> None:
    output = (
        "Using CPython 3.11.7\nwarning: No `requires-python`\n"
        "error: No solution found when resolving dependencies for split (markers:\n"
        "python_full_version >= '3.15')\n"
        "  cause: Because mypy was not found in the cache, we can conclude that\n"
        "  your requirements are unsatisfiable.\n\n"
        "hint: first\n\nhint: Packages were unavailable because the network was disabled.\n"
    )
    message, hint = summarize(output)
    assert message == (
        "No solution found when resolving dependencies for split (markers: python_full_version "
        ">= '3.15'): Because mypy was not found in the cache, we can conclude that your "
        "requirements are unsatisfiable."
    )
    assert hint == "Packages were unavailable because the network was disabled."


def test_summarize_without_error_line_keeps_the_tail() -> None:
    assert summarize("one\ntwo\nthree\nfour\n") == ("two | three | four", None)


MANIFEST = """\
[project]
name = "acme-b"  # the consumer
dependencies = [
    # pinned on purpose
    "requests>=2",
]

[tool.hatch.build.targets.wheel]
packages = ["src/acme"]
"""


def test_add_workspace_dependencies_keeps_comments() -> None:
    document = tomlkit.parse(MANIFEST)
    added = tomledit.add_workspace_dependencies(document, ["acme-a", "ACME_A"])
    text = tomledit.dumps(document)
    assert added == ["acme-a"]
    assert "# the consumer" in text
    assert "# pinned on purpose" in text
    assert '"requests>=2",\n    "acme-a",\n]' in text
    assert text.endswith("[tool.uv.sources]\nacme-a = { workspace = true }\n")
    assert tomledit.add_workspace_dependencies(document, ["acme-a"]) == []


def test_add_to_an_empty_dependency_list() -> None:
    document = tomlkit.parse('[project]\nname = "x"\ndependencies = []\n')
    tomledit.add_workspace_dependencies(document, ["acme-a", "acme-b"])
    text = tomlkit.dumps(document)
    assert 'dependencies = [\n    "acme-a",\n    "acme-b",\n]' in text


names = st.lists(st.from_regex(r"acme-[a-z]{1,8}", fullmatch=True), max_size=5, unique=True)


@given(existing=names, added=names)
def test_added_dependencies_round_trip(existing: list[str], added: list[str]) -> None:
    deps = "".join(f'    "{name}",  # keep {name}\n' for name in existing)
    source = f'[project]\nname = "x"\ndependencies = [\n{deps}]\n'
    document = tomlkit.parse(source)
    tomledit.add_workspace_dependencies(document, added)
    text = tomlkit.dumps(document)
    parsed = tomlkit.parse(text)
    assert list(parsed["project"]["dependencies"]) == existing + [
        name for name in added if name not in existing
    ]
    for name in existing:
        assert f"# keep {name}" in text
    sources = parsed.get("tool", {}).get("uv", {}).get("sources", {})
    assert set(sources) == set(added)  # every requested sibling gets its workspace source


def test_inline_sources_are_kept_and_a_path_source_is_repaired() -> None:
    document = tomlkit.parse(
        '[project]\nname = "x"\ndependencies = ["acme-a"]\n\n[tool.uv]\n'
        'sources = { six = { path = "../six" }, acme-a = { path = "../../seeds/a" } }\n'
    )
    assert tomledit.add_workspace_dependencies(document, ["acme-a"]) == ["acme-a"]
    sources = tomlkit.parse(tomledit.dumps(document))["tool"]["uv"]["sources"]
    assert sources == {"six": {"path": "../six"}, "acme-a": {"workspace": True}}


def test_removing_keeps_a_source_a_group_still_needs() -> None:
    document = tomlkit.parse(
        '[project]\nname = "x"\ndependencies = ["acme-a"]\n\n[dependency-groups]\n'
        'dev = ["acme-a"]\n\n[tool.uv.sources]\nacme-a = { workspace = true }\n'
    )
    assert tomledit.remove_workspace_dependencies(document, ["acme-a"]) == ["acme-a"]
    text = tomledit.dumps(document)
    assert "acme-a = { workspace = true }" in text
    assert "dependencies = []" in text


def test_line_endings_survive(tmp_path: Path) -> None:
    manifest = tmp_path / "pyproject.toml"
    manifest.write_bytes(b'[project]\r\nname = "x"\r\ndependencies = []\r\n')
    document = tomledit.load(manifest)
    tomledit.add_workspace_dependencies(document, ["acme-a"])
    tomledit.dump(manifest, document)
    data = manifest.read_bytes()
    assert b'name = "x"\r\n' in data
    assert data.endswith(b"\r\n")
