"""`proto version` and `proto publish` against a real package index (pypiserver on loopback)."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import BIN, Runner, assert_clean_failure, run, snapshot


@pytest.mark.e2e
def test_version_shows_bumps_and_sets(graph_workspace: Path, proto: Runner) -> None:
    root = graph_workspace
    manifest = root / "seeds/text-tools/pyproject.toml"
    manifest.write_text(
        manifest.read_text().replace('version = "0.1.0"', 'version = "0.1.0"  # ours')
    )
    shown = proto("version", cwd=root)
    assert shown.stdout.splitlines() == [
        "notes 0.1.0", "text-tools 0.1.0", "url-parser 0.1.0", "web 0.1.0"
    ]  # fmt: skip
    bumped_ = proto("version", "text-tools", "acme-protos-web", "--bump", "minor", cwd=root)
    assert bumped_.returncode == 0, bumped_.stderr
    assert bumped_.stdout.splitlines() == ["text-tools 0.1.0 -> 0.2.0", "web 0.1.0 -> 0.2.0"]
    assert 'version = "0.2.0"  # ours' in manifest.read_text()
    run(BIN / "uv", "lock", "--check", cwd=root)
    data = json.loads(proto("version", "web", "--json", cwd=root).stdout)
    assert data == [
        {"name": "web", "distribution": "acme-protos-web", "version": "0.2.0", "previous": "0.2.0"}
    ]
    assert proto("version", "web", "--set", "1.0.0-rc.1", cwd=root).stdout.strip() == (
        "web 0.2.0 -> 1.0.0rc1"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def index(tmp_path: Path) -> Iterator[str]:
    """A real package index (pypiserver) on a free loopback port; yields its base URL."""
    packages = tmp_path / "index"
    packages.mkdir()
    port = free_port()
    server = subprocess.Popen(
        [BIN / "pypi-server", "run", "-i", "127.0.0.1", "-p", str(port), "-a", ".", "-P", ".",
         "--disable-fallback", str(packages)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "simple/", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("pypiserver did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


CREDENTIALS = {"UV_PUBLISH_USERNAME": "maker", "UV_PUBLISH_PASSWORD": "secret"}


@pytest.mark.e2e
def test_publish_in_order_with_pins_then_install_by_name(
    graph_workspace: Path, proto: Runner, index: str, tmp_path: Path
) -> None:
    root = graph_workspace
    assert proto("graduate", "text-tools", "--commit", cwd=root).returncode == 0
    assert proto("version", "text-tools", "--set", "1.2.0", cwd=root).returncode == 0
    assert proto("version", "url-parser", "--bump", "minor", cwd=root).returncode == 0
    run("git", "commit", "-qam", "Versions", cwd=root)

    before = snapshot(root)
    lonely = proto("publish", "url-parser", "--publish-url", index, cwd=root, env=CREDENTIALS)
    assert_clean_failure(lonely, 1, "url-parser needs acme-protos-text-tools==1.2.0")
    assert list((tmp_path / "index").iterdir()) == []  # refused before anything was uploaded
    assert snapshot(root) == before

    result = proto("publish", "url-parser", "text-tools", "--publish-url", index, "--tag",
                   "--json", cwd=root, env=CREDENTIALS)  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [p["name"] for p in report["packages"]] == [
        "text-tools",
        "url-parser",
    ]  # providers first
    assert report["packages"][1]["pins"] == {"acme-protos-text-tools": "1.2.0"}
    assert all(p["uploaded"] for p in report["packages"])
    assert sorted(p.name for p in (tmp_path / "index").iterdir()) == [
        "acme_protos_text_tools-1.2.0-py3-none-any.whl",
        "acme_protos_text_tools-1.2.0.tar.gz",
        "acme_protos_url_parser-0.2.0-py3-none-any.whl",
        "acme_protos_url_parser-0.2.0.tar.gz",
    ]
    assert (root / "dist/url-parser/acme_protos_url_parser-0.2.0.tar.gz").is_file()
    tags = run("git", "tag", "--list", cwd=root).split()
    assert tags == ["acme-protos-text-tools@1.2.0", "acme-protos-url-parser@0.2.0"]
    assert run("git", "status", "--porcelain", cwd=root) == ""  # dist/ is ignored, nothing edited

    venv = tmp_path / "venv"
    run(BIN / "uv", "venv", "--quiet", venv, cwd=tmp_path)
    python = venv / "bin/python"
    run(BIN / "uv", "pip", "install", "--python", python, "--index-url", f"{index}simple/",
        "acme-protos-url-parser", cwd=tmp_path)  # fmt: skip
    code = (
        "import importlib.metadata as m, acme_protos.url_parser, acme_protos.text_tools;"
        "print(m.requires('acme-protos-url-parser'), m.version('acme-protos-text-tools'))"
    )
    assert (
        run(python, "-c", code, cwd=tmp_path).strip() == "['acme-protos-text-tools==1.2.0'] 1.2.0"
    )

    again = proto("publish", "text-tools", "--publish-url", index, cwd=root, env=CREDENTIALS)
    assert_clean_failure(again, 1, "acme-protos-text-tools 1.2.0 is already on", "--check-url")
    skipped = proto("publish", "text-tools", "--publish-url", index, "--check-url",
                    f"{index}simple/", cwd=root, env=CREDENTIALS)  # fmt: skip
    assert skipped.returncode == 0, skipped.stderr


@pytest.mark.e2e
def test_publish_to_an_unreachable_index_tags_nothing(graph_workspace: Path, proto: Runner) -> None:
    root = graph_workspace
    dead = f"http://127.0.0.1:{free_port()}/"
    result = proto("publish", "text-tools", "--publish-url", dead, "--tag", cwd=root,
                   env=CREDENTIALS)  # fmt: skip
    assert_clean_failure(result, 1, "uploading text-tools failed", "uploaded: nothing")
    assert run("git", "tag", "--list", cwd=root) == ""
    dry = proto("publish", "web", "url-parser", "text-tools", "--publish-url", dead, "--dry-run",
                cwd=root)  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    assert "built acme-protos-web 0.1.0 (pins acme-protos-url-parser==0.1.0)" in dry.stdout
    assert "Nothing uploaded (--dry-run)" in dry.stdout
    built = sorted(p.name for p in (root / "dist/web").glob("acme_protos_web-*"))
    assert built == ["acme_protos_web-0.1.0-py3-none-any.whl", "acme_protos_web-0.1.0.tar.gz"]
    manifest = tomllib.loads((root / "seeds/web/pyproject.toml").read_text())
    assert manifest["project"]["dependencies"][-1] == "acme-protos-url-parser"  # never pinned


@pytest.mark.e2e
def test_publish_refuses_metadata_an_index_would_reject(
    graph_workspace: Path, proto: Runner
) -> None:
    root = graph_workspace
    manifest = root / "seeds/notes/pyproject.toml"
    manifest.write_text(manifest.read_text().replace('readme = "README.md"\n', ""))
    result = proto("publish", "notes", "--dry-run", cwd=root, env={"COLUMNS": "40"})
    assert_clean_failure(result, 1, "acme_protos_notes-0.1.0", "twine check --strict")


@pytest.mark.e2e
def test_publish_unpublished_releases_new_versions_of_published_packages(
    graph_workspace: Path, proto: Runner, index: str, tmp_path: Path
) -> None:
    """The CI release path for any number of packages: what is on the index already is
    skipped, a package never published is published only when named."""
    root = graph_workspace
    common = ["--unpublished", "--publish-url", index]
    first = proto("publish", *common, "--", "text-tools", "url-parser", cwd=root, env=CREDENTIALS)
    assert first.returncode == 0, first.stderr
    assert "published acme-protos-url-parser 0.1.0 (pins acme-protos-text-tools==0.1.0)" in (
        first.stdout
    )
    assert proto("version", "text-tools", "--bump", "patch", cwd=root).returncode == 0
    run("git", "commit", "-qam", "text-tools 0.1.1", cwd=root)

    result = proto("publish", *common, "--json", cwd=root, env=CREDENTIALS)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [(p["name"], p["version"], p["uploaded"]) for p in report["packages"]] == [
        ("text-tools", "0.1.1", True)
    ]
    simple = f"{index}simple/"
    assert report["skipped"] == [
        {"name": "notes", "reason": f"not on {simple} yet: name it to publish its first release"},
        {"name": "url-parser", "reason": f"0.1.0 is on {simple} already"},
        {"name": "web", "reason": f"not on {simple} yet: name it to publish its first release"},
    ]
    assert sorted(p.name for p in (tmp_path / "index").iterdir())[:2] == [
        "acme_protos_text_tools-0.1.0-py3-none-any.whl", "acme_protos_text_tools-0.1.0.tar.gz"
    ]  # fmt: skip
    again = proto("publish", *common, cwd=root, env=CREDENTIALS)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-1].startswith("Nothing to publish: every selected")
    named = proto("publish", *common, "--", "--affected", cwd=root, env=CREDENTIALS)
    assert_clean_failure(named, 2, "no package named '--affected'")
