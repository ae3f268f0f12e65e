"""Inputs an adversarial user tries: each gets one `error:` line and exit 2 (invalid) or 1
(refused), never an internal error, with nothing written; and no secret is ever printed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from seedbed.errors import redact
from tests.conftest import InProcess
from tests.helpers import assert_clean_failure, commit_all, make_workspace, snapshot

Cli = Callable[..., InProcess]


@pytest.fixture
def pair(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "acme", {"alpha": [], "beta": ["alpha"]})


def set_root(root: Path, old: str, new: str) -> None:
    manifest = root / "pyproject.toml"
    text = manifest.read_text()
    assert old in text
    manifest.write_text(text.replace(old, new))


def test_names_too_long_and_names_that_are_files(pair: Path, cli: Cli) -> None:
    before = snapshot(pair)
    assert_clean_failure(cli("new", "a" * 250, cwd=pair), 2, "more than 64")
    (pair / "seeds/gamma").write_text("a file, not a folder\n")
    assert_clean_failure(cli("new", "gamma", cwd=pair), 2, "already used by seeds/gamma")
    (pair / "seeds/gamma").unlink()
    assert snapshot(pair) == before


@pytest.mark.parametrize("scope", ["json", "typing", "os", "pytest"])
def test_scopes_that_shadow_modules(tmp_path: Path, cli: Cli, scope: str) -> None:
    result = cli("init", tmp_path / "ws", "--scope", scope, cwd=tmp_path)
    assert_clean_failure(result, 2, f"hides the module '{scope}'")
    assert not (tmp_path / "ws").exists()
    flat = cli("init", tmp_path / "ws", "--scope", scope, "--import-style", "flat",
               "--dry-run", cwd=tmp_path)  # fmt: skip
    assert flat.returncode == 0, flat.stderr  # flat names (json_alpha) shadow nothing


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ('scope = "acme"', 'scope = "json"', "hides the module 'json'"),
        ('scope = "acme"', 'scope = "../../evil"', "not a path"),
        ('scope = "acme"', "scope = 5", "scope must be a string"),
        ('members = ["core/*", "seeds/*"]', 'members = ["/abs/*"]', "relative to the root"),
        ('members = ["core/*", "seeds/*"]', 'members = [""]', "relative to the root"),
        ('members = ["core/*", "seeds/*"]', 'members = "seeds/*"', "must be a list"),
        ('[tool.uv.workspace]\nmembers = ["core/*", "seeds/*"]', 'workspace = "oops"',
         "must be a table"),
    ],
    ids=["shadowing", "path", "number", "absolute", "empty", "string", "workspace"],
)  # fmt: skip
def test_hand_edited_root_config(pair: Path, cli: Cli, old: str, new: str, needle: str) -> None:
    if new.startswith("workspace"):
        set_root(pair, "[tool.uv]\npackage = false\n", "[tool.uv]\npackage = false\n" + new)
        set_root(pair, old, "")
    else:
        set_root(pair, old, new)
    before = snapshot(pair)
    for command in (["list"], ["check"], ["new", "x"], ["depend", "beta", "alpha", "--remove"]):
        assert_clean_failure(cli(*command, cwd=pair), 1, needle)
    assert snapshot(pair) == before


def test_a_dangling_symlink_in_src(pair: Path, cli: Cli) -> None:
    (pair / "seeds/alpha/src/acme/alpha/gone.py").symlink_to(pair / "nowhere.py")
    result = cli("check", "--json", cwd=pair)
    assert "internal error" not in result.stderr
    assert [v["rule"] for v in json.loads(result.stdout)] == ["lock-stale"]  # no uv.lock here


def test_an_invalid_requirement_is_named_by_publish(pair: Path, cli: Cli) -> None:
    manifest = pair / "seeds/alpha/pyproject.toml"
    manifest.write_text(
        manifest.read_text().replace("dependencies = [\n]", 'dependencies = ["six >>> 1"]')
    )
    result = cli("publish", "alpha", "--dry-run", cwd=pair)
    assert_clean_failure(result, 1, "seeds/alpha/pyproject.toml", "'six >>> 1'", "PEP 508")


def test_a_python_uv_cannot_provide(tmp_path: Path, cli: Cli) -> None:
    result = cli("init", tmp_path / "ws", "--python", "3.99", cwd=tmp_path)
    assert_clean_failure(result, 2, "Python 3.99", "uv python list")
    assert not (tmp_path / "ws").exists()


def test_init_without_uv(tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from seedbed.effects import uv
    from seedbed.errors import ProtoError

    def missing() -> str:
        raise ProtoError("uv is not installed", "install it with `python -m pip install uv`")

    monkeypatch.setattr(uv, "uv_binary", missing)
    assert_clean_failure(cli("init", tmp_path / "ws", cwd=tmp_path), 1, "uv is not installed")
    assert list(tmp_path.iterdir()) == []


def test_a_kind_outside_the_repository(pair: Path, cli: Cli) -> None:
    manifest = pair / "pyproject.toml"
    manifest.write_text(manifest.read_text() + '\n[tool.proto.kinds]\nwidget = "../elsewhere"\n')
    result = cli("new", "thing", "--kind", "widget", cwd=pair)
    assert_clean_failure(result, 1, "outside this repository")


def test_a_symlinked_seed_is_not_graduated(pair: Path, cli: Cli, tmp_path: Path) -> None:
    (pair / "seeds/alpha").rename(tmp_path / "alpha-elsewhere")
    (pair / "seeds/alpha").symlink_to(tmp_path / "alpha-elsewhere")
    commit_all(pair)
    before = snapshot(pair)
    assert_clean_failure(cli("graduate", "alpha", cwd=pair), 1, "symbolic link")
    assert snapshot(pair) == before


def test_credentials_in_urls_are_never_printed(pair: Path, cli: Cli) -> None:
    result = cli(
        "publish", "beta", "--publish-url", "https://alice:s3cret@127.0.0.1:9/",
        "--check-url", "https://tok3n@127.0.0.1:9/simple/", "--dry-run", cwd=pair,
    )  # fmt: skip
    assert_clean_failure(result, 1, "https://***@127.0.0.1:9/simple/")
    assert "s3cret" not in result.stderr + result.stdout
    assert "tok3n" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("https://alice:PW@host/x", "https://alice:***@host/x"),
        ("git+https://TOKEN@github.com/a/b.git", "git+https://***@github.com/a/b.git"),
        ("https://host/no/credentials", "https://host/no/credentials"),
        ("a@b.com and ssh://git@host/x", "a@b.com and ssh://***@host/x"),
    ],
)  # fmt: skip
def test_redact(text: str, shown: str) -> None:
    assert redact(text) == shown


def test_doctor_reports_and_fixes(pair: Path, cli: Cli) -> None:
    healthy = cli("doctor", "--json", cwd=pair)
    report = json.loads(healthy.stdout)
    assert report["healthy"] is False  # no uv.lock yet in a hand-made workspace
    assert [f["kind"] for f in report["findings"]] == ["stale-lock"]
    (pair / ".proto-new-abc123").mkdir()
    (pair / ".proto-new-abc123/half.txt").write_text("rendered\n")
    manifest = pair / "seeds/beta/pyproject.toml"
    manifest.write_text(
        manifest.read_text().replace('"acme-alpha",', '"acme-alpha",\n    "acme-gone",')
    )
    (pair / "seeds/alpha/README.md").write_text("<<<<<<< before updating\nmine\n=======\ntheirs\n")
    commit_all(pair, "odd")
    (pair / ".proto-new-abc123").mkdir(exist_ok=True)
    found = cli("doctor", cwd=pair)
    assert found.returncode == 1
    lines = found.stdout.splitlines()
    assert "leftover: .proto-new-abc123 is the scratch folder of a command that was killed" in lines
    assert "conflict: seeds/alpha/README.md still has conflict markers from `proto update`" in lines
    assert any(line.startswith("missing-package: 'beta' depends on 'acme-gone'") for line in lines)
    assert "  to fix: proto depend beta gone --remove" in lines
    before = snapshot(pair)
    dry = cli("doctor", "--fix", "--dry-run", cwd=pair)
    assert snapshot(pair) == before  # nothing changed: the scratch folder is still there
    assert sorted(p.name for p in (pair / ".proto-new-abc123").iterdir()) == ["half.txt"]
    assert dry.stdout == found.stdout  # the plan: each `--fix:` line is what --fix would do
    assert dry.returncode == 1  # the conflict and the missing package would be left
    assert_clean_failure(cli("doctor", "--dry-run", cwd=pair), 2, "--dry-run goes with --fix")
