"""The generated GitHub workflows, and seedbed's own release workflow, pass actionlint, zizmor
(offline) and the workflow schema; and they say what the docs promise."""

from __future__ import annotations

import re
import shlex
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from seedbed import __version__
from seedbed.effects import uv
from tests.helpers import BIN, Runner, run

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def lint(root: Path, workflows: list[Path]) -> None:
    files = [str(w) for w in workflows]
    run(BIN / "actionlint", *files, cwd=root)
    run(BIN / "zizmor", "--offline", "--min-severity", "medium", ".github", cwd=root)
    run(BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *files,
        cwd=root)  # fmt: skip
    actions = [str(a) for a in (root / ".github/actions").glob("*/action.yml")]
    if actions:
        run(BIN / "check-jsonschema", "--builtin-schema", "vendor.github-actions", *actions,
            cwd=root)  # fmt: skip


@pytest.mark.parametrize("flags", [[], ["--strict-seeds"]], ids=["fix-forward", "strict-seeds"])
def test_workflows_pass_the_linters(tmp_path: Path, proto: Runner, flags: list[str]) -> None:
    result = proto("init", "ws", *flags, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    root = tmp_path / "ws"
    workflows = sorted((root / ".github/workflows").glob("*.yml"))
    assert [w.name for w in workflows] == ["ci.yml", "publish.yml", "template-updates.yml"]
    lint(root, workflows)
    ci = (root / ".github/workflows/ci.yml").read_text()
    assert "proto affected" in ci
    assert "proto check" in ci
    assert '--format github-matrix --max-jobs "$MAX_SHARDS"' in ci
    assert "matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}" in ci
    fix_forward = "" if flags else " --seeds-fix-forward"
    assert f'proto run lint typecheck test{fix_forward} "${{selected[@]}}"' in ci
    assert "continue-on-error" not in ci  # proto run applies the stances, per task
    assert "actions/cache/restore@" in ci
    assert "actions/cache/save@" in ci
    assert "if: ${{ !cancelled() }}" in ci  # a failing shard still shares its passes
    assert ci.count("path: .proto/cache") == 2
    assert "key: proto-${{ runner.os }}-${{ hashFiles('uv.lock') }}-${{ github.run_id }}" in ci
    restore = "            proto-${{ runner.os }}-${{ hashFiles('uv.lock') }}-\n"
    assert f"restore-keys: |\n{restore}" in ci
    assert "nox" not in ci
    publish = (root / ".github/workflows/publish.yml").read_text()
    assert "id-token: write" in publish
    assert 'tags: ["*@*"]' in publish
    assert "--trusted-publishing always" in publish


def test_ci_cancels_superseded_runs_on_pull_requests_only(workspace: Path) -> None:
    ci = (workspace / ".github/workflows/ci.yml").read_text()
    concurrency = ci.split("\nconcurrency:\n", 1)[1].split("\n\n", 1)[0]
    assert concurrency.splitlines() == [
        "  group: ci-${{ github.event_name == 'pull_request' && github.ref || github.sha }}",
        "  cancel-in-progress: ${{ github.event_name == 'pull_request' }}",
    ]


def test_one_place_names_what_ci_installs_and_uv_is_pinned(workspace: Path) -> None:
    github = workspace / ".github"
    texts = {p.relative_to(github).as_posix(): p.read_text() for p in github.rglob("*.yml")}
    naming = [name for name, text in texts.items() if f"seedbed=={__version__}" in text]
    assert naming == ["actions/setup-proto/action.yml"]
    action = texts["actions/setup-proto/action.yml"]
    assert f'UV_VERSION: "{uv.version()}"' in action
    assert 'python -m pip install --disable-pip-version-check --quiet "uv==${UV_VERSION}"' in action
    for name, text in texts.items():
        if name.startswith("workflows/"):
            assert "pip install uv" not in text, name  # never an unpinned uv
            jobs = text.split("\njobs:\n", 1)[1]
            for job in re.split(r"\n  (?=[a-z-]+:\n)", jobs):
                if "proto " in job or "uv run" in job:
                    assert "uses: ./.github/actions/setup-proto" in job, (name, job)


@pytest.mark.parametrize(
    "requirement",
    ["seedbed @ git+https://github.com/acme/seedbed@v0.1.0", "acme-seedbed==2.1"],
)
def test_init_sets_the_seedbed_requirement(tmp_path: Path, proto: Runner, requirement: str) -> None:
    result = proto("init", "ws", "--seedbed-requirement", requirement, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    action = (tmp_path / "ws/.github/actions/setup-proto/action.yml").read_text()
    assert f'SEEDBED_REQUIREMENT: "{requirement}"' in action
    answers = (tmp_path / "ws/.copier-answers.yml").read_text()
    assert f"seedbed_requirement: {requirement}" in answers
    lint(tmp_path / "ws", sorted((tmp_path / "ws/.github/workflows").glob("*.yml")))


def test_the_action_installs_the_newest_seedbed_when_asked(workspace: Path, tmp_path: Path) -> None:
    """The scheduled `proto update --check` job needs the newest seedbed: the action drops the
    version from a plain requirement and keeps a URL as it is (its bash, run here with fakes
    for pip, uv and proto)."""
    script = (workspace / ".github/actions/setup-proto/action.yml").read_text()
    body = script.split("run: |\n", 1)[1]
    bash = "\n".join(line.removeprefix(" " * 8) for line in body.splitlines())
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("python", "uv", "proto"):
        (bin_dir / tool).write_text(f'#!/bin/sh\necho "{tool} $*" >> "$CALLS"\n')
        (bin_dir / tool).chmod(0o755)
    for requirement, latest, installed in [
        ("seedbed==0.1.0", "true", "seedbed"),
        ("seedbed==0.1.0", "false", "seedbed==0.1.0"),
        ("seedbed @ git+https://x.invalid/s@v1", "true", "seedbed @ git+https://x.invalid/s@v1"),
    ]:
        calls = tmp_path / "calls"
        calls.unlink(missing_ok=True)
        env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "CALLS": str(calls), "UV_VERSION": "0.9.9",
               "SEEDBED_REQUIREMENT": requirement, "LATEST": latest}  # fmt: skip
        subprocess.run(["bash", "-e", "-c", bash], env=env, check=True)
        lines = calls.read_text().splitlines()
        assert lines[1] == f"uv tool install --with uv==0.9.9 {installed}"
        assert lines[2] == "proto --version"


def test_publish_passes_inputs_after_a_double_dash(workspace: Path) -> None:
    publish = (workspace / ".github/workflows/publish.yml").read_text()
    assert 'proto version --json -- "$distribution"' in publish
    command = publish.split("proto publish", 1)[1].split("\n\n", 1)[0].replace("\\\n", " ")
    assert shlex.split(command)[-2:] == ["--", "${names[@]}"]


def test_seedbeds_own_release_workflow(tmp_path: Path) -> None:
    """This repository's release path: on a v* tag, build sdist and wheel (with the template
    history), `twine check --strict`, publish with trusted publishing."""
    release = ROOT / ".github/workflows/release.yml"
    lint(ROOT, [release])
    text = release.read_text()
    assert 'tags: ["v*"]' in text
    assert "fetch-depth: 0" in text  # the wheel's template history comes from the v* tags
    assert "twine check --strict dist/*" in text
    assert "uv publish --trusted-publishing always" in text
    assert "id-token: write" in text
    assert "templates.bundle" in text
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## [{__version__}]" in changelog or "## [Unreleased]" in changelog


def test_the_release_build_carries_the_template_history(tmp_path: Path) -> None:
    """What release.yml's build job runs, run here: both distributions from the repository,
    `twine check --strict`, and the wheel's history holds this version's tag."""
    text = (ROOT / ".github/workflows/release.yml").read_text()
    assert "run: uv build --sdist --wheel --out-dir dist" in text
    assert 'git bundle list-heads templates.bundle | grep -q "refs/tags/${TAG}$"' in text
    out = tmp_path / "dist"
    run(BIN / "uv", "build", "--sdist", "--wheel", "--out-dir", out, cwd=ROOT)
    built = sorted(path.name for path in out.iterdir() if path.name != ".gitignore")
    assert built == [f"seedbed-{__version__}-py3-none-any.whl", f"seedbed-{__version__}.tar.gz"]
    run(BIN / "twine", "check", "--strict", *sorted(out.glob("seedbed-*")), cwd=tmp_path)
    bundle = tmp_path / "templates.bundle"
    wheel = next(out.glob("*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        bundle.write_bytes(archive.read("seedbed/templates.bundle"))
        assert "CHANGELOG.md" not in archive.namelist()  # docs travel in the sdist
    heads = run("git", "bundle", "list-heads", bundle, cwd=tmp_path)
    assert f"refs/tags/v{__version__}\n" in heads
    with tarfile.open(next(out.glob("*.tar.gz"))) as sdist:
        assert f"seedbed-{__version__}/CHANGELOG.md" in sdist.getnames()
