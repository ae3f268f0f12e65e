"""The templates work with plain Copier too, and proto's template source is reproducible."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest

from seedbed import templates
from tests.conftest import BIN, run

pytestmark = pytest.mark.e2e


def test_plain_copier_copy_renders_both_subprojects(tmp_path: Path) -> None:
    source = templates.embedded_templates()
    assert (source / "copier.yml").is_file()
    copier = BIN / "copier"
    run(copier, "copy", "--defaults", "--data", "template=workspace", "--data",
        "scope=team-x", source, tmp_path / "ws", cwd=tmp_path)  # fmt: skip
    run(copier, "copy", "--defaults", "--data", "template=package", "--data", "scope=team-x",
        "--data", "name=probe", "--data", "kind=cli", source, tmp_path / "ws/seeds/probe",
        cwd=tmp_path)  # fmt: skip
    root = tomllib.loads((tmp_path / "ws/pyproject.toml").read_text())
    assert root["tool"]["proto"]["scope"] == "team-x"
    package = tomllib.loads((tmp_path / "ws/seeds/probe/pyproject.toml").read_text())
    assert package["project"]["name"] == "team-x-probe"
    assert (tmp_path / "ws/seeds/probe/src/team_x/probe/cli.py").is_file()


def test_templates_need_no_trust() -> None:
    import yaml

    config = yaml.safe_load((templates.embedded_templates() / "copier.yml").read_text())
    assert "_subdirectory" in config
    assert not {"_tasks", "_migrations", "_jinja_extensions"} & set(config)


def test_template_repository_is_the_same_on_every_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    heads = []
    for machine in ("one", "two"):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / machine))
        repo = templates.template_repository()
        assert repo.is_relative_to(tmp_path / machine)
        assert templates.template_repository() == repo  # cached
        heads.append(run("git", "rev-parse", templates.TEMPLATE_TAG, cwd=repo).strip())
    assert heads[0] == heads[1]


def test_answers_record_the_portable_source(base_workspace: Path) -> None:
    answers = (base_workspace / ".copier-answers.yml").read_text()
    assert f"_src_path: {templates.TEMPLATE_URL}\n" in answers
    assert f"_commit: {templates.TEMPLATE_TAG}\n" in answers
    status = subprocess.run(
        ["git", "ls-remote", templates.TEMPLATE_URL], capture_output=True, check=False
    )
    assert status.returncode != 0  # .invalid never resolves: nothing leaks to the network
