"""The parsed-manifest cache: every way a manifest can change is seen, and a bad cache is only
ever a slower read."""

from __future__ import annotations

import marshal
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seedbed.model import manifests
from seedbed.model.workspace import load
from tests.helpers import make_workspace


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(manifests, "RACY_NS", 0)  # cache even files written a moment ago
    return make_workspace(tmp_path / "acme", {"a": [], "b": ["a"]})


def deps(root: Path, name: str) -> tuple[str, ...]:
    return load(root).get(name).requirements


def test_a_warm_cache_parses_nothing(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load(root)
    assert manifests.cache_path(root).is_file()

    def never(manifest: Path) -> manifests.Fields:
        raise AssertionError(f"parsed {manifest}")

    monkeypatch.setattr(manifests, "parse", never)
    assert deps(root, "b") == ("acme-a",)


def test_an_edit_of_another_size_is_seen(root: Path) -> None:
    load(root)
    manifest = root / "seeds/b/pyproject.toml"
    manifest.write_text(manifest.read_text().replace('"acme-a",', '"acme-a",\n    "six",'))
    assert deps(root, "b") == ("acme-a", "six")


def test_an_edit_of_the_same_size_with_the_old_mtime_is_seen(root: Path) -> None:
    load(root)
    manifest = root / "seeds/b/pyproject.toml"
    stat = manifest.stat()
    manifest.write_text(manifest.read_text().replace('version = "0.1.0"', 'version = "0.1.9"'))
    os.utime(manifest, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as if untouched
    assert manifest.stat().st_size == stat.st_size
    assert load(root).get("b").version == "0.1.9"


def test_a_replaced_file_and_moved_or_removed_folders(root: Path) -> None:
    load(root)
    manifest = root / "seeds/a/pyproject.toml"
    replacement = root / "seeds/a/new.toml"
    replacement.write_text(manifest.read_text().replace("0.1.0", "0.2.0"))
    replacement.replace(manifest)
    assert load(root).get("a").version == "0.2.0"
    (root / "seeds/a").rename(root / "core/a")
    assert load(root).get("a").stage == "core"
    (root / "seeds/b/pyproject.toml").unlink()
    assert [p.short for p in load(root).packages] == ["a"]
    cached = marshal.loads(manifests.cache_path(root).read_bytes())[1]
    assert sorted(cached) == ["core/a"]


def test_a_corrupt_or_foreign_cache_is_ignored(root: Path) -> None:
    load(root)
    path = manifests.cache_path(root)
    path.write_bytes(b"\0garbage")
    assert deps(root, "b") == ("acme-a",)
    path.write_bytes(marshal.dumps((("0.0.1", 2), {"seeds/b": ((0, 0, 0, 0), (None,))})))
    assert deps(root, "b") == ("acme-a",)


def test_a_file_changed_just_now_is_not_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_workspace(tmp_path / "acme", {"a": []})
    monkeypatch.setattr(manifests, "RACY_NS", 3600 * 10**9)  # everything counts as just now
    load(root)
    path = manifests.cache_path(root)
    assert not path.exists() or marshal.loads(path.read_bytes())[1] == {}  # racy: not cached


def test_uncacheable_values_and_an_unwritable_cache(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = root / "seeds/a/pyproject.toml"
    manifest.write_text(manifest.read_text() + "\n[tool.uv.sources]\nx = { when = 1979-05-27 }\n")
    assert load(root).get("a").sources["x"]["when"].year == 1979
    monkeypatch.setattr(manifests, "cache_path", lambda root: Path("/proc/nope/cache"))
    assert deps(root, "b") == ("acme-a",)


def fresh(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, ...]]:
    """What the manifests say, parsed now, with the cache neither read nor written."""
    with monkeypatch.context() as patch:
        patch.setattr(manifests, "cache_path", lambda root: Path("/proc/nope/cache"))
        return seen(root)


def seen(root: Path) -> list[tuple[object, ...]]:
    return [
        (p.short, p.stage, p.version, p.requirements, tuple(sorted(p.sources)))
        for p in load(root).packages
    ]


def change(root: Path, step: tuple[str, int, int]) -> None:
    """One change a person or a command makes to a member: keep the old mtime where it can."""
    kind, which, value = step
    members = sorted(root.glob("*/*/pyproject.toml"))
    if not members:
        return
    manifest = members[which % len(members)]
    before = manifest.stat()
    text = manifest.read_text()
    if kind == "version":  # the same size: only the content (and ctime) tell
        manifest.write_text(text.replace('version = "0.1.', f'version = "0.{value % 10}.', 1))
        os.utime(manifest, ns=(before.st_atime_ns, before.st_mtime_ns))
    elif kind == "dependency":
        manifest.write_text(
            text.replace("dependencies = [\n", f'dependencies = [\n    "x{value}",\n')
        )
    elif kind == "source" and f"sources.s{value}]" not in text:
        manifest.write_text(text + f"\n[tool.uv.sources.s{value}]\nworkspace = true\n")
    elif kind == "move":
        folder = manifest.parent
        stage = "core" if folder.parent.name == "seeds" else "seeds"
        if not (root / stage / folder.name).exists():
            folder.rename(root / stage / folder.name)
    elif kind == "replace":
        other = manifest.with_name("replacement.toml")
        other.write_text(text.replace("[project]\n", f"[project]\n# {value}\n"))
        other.replace(manifest)
    elif kind == "remove":
        manifest.unlink()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["version", "dependency", "source", "move", "replace", "remove"]),
            st.integers(0, 5),
            st.integers(0, 99),
        ),
        max_size=8,
    )
)
def test_the_cache_reads_what_a_fresh_parse_reads_after_any_changes(
    monkeypatch: pytest.MonkeyPatch, steps: list[tuple[str, int, int]]
) -> None:
    monkeypatch.setattr(manifests, "RACY_NS", 0)
    with tempfile.TemporaryDirectory() as folder:
        root = make_workspace(Path(folder) / "acme", {"a": [], "b": ["a"], "c": ["a", "b"]},
                              commit=False)  # fmt: skip
        seen(root)  # a warm cache
        for step in steps:
            change(root, step)
            assert seen(root) == fresh(root, monkeypatch), step
