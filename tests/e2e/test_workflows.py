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
    assert ci.count("path: .proto/cache") == 4  # restored and saved by the shards and the sheriff
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


def test_the_sheriff_job_on_main_only_with_least_permissions(workspace: Path) -> None:
    import yaml

    ci = yaml.safe_load((workspace / ".github/workflows/ci.yml").read_text())
    job = ci["jobs"]["sheriff"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert ci["permissions"] == {"contents": "read"}  # every other job reads only
    condition = job["if"]
    assert "github.event_name == 'push'" in condition
    assert "github.ref == 'refs/heads/main'" in condition
    assert "vars.PROTO_SHERIFF != 'off'" in condition  # how a team turns it off
    assert job["needs"] == ["plan", "packages"]
    assert "sheriff" in ci["jobs"]["ci-passed"]["needs"]  # CI passed stays red with it
    checkout = job["steps"][0]
    assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}
    assert [s.get("uses") for s in job["steps"][:3]][2] == "./.github/actions/setup-proto"
    for step in job["steps"]:  # the token only where git and gh need it, never where tests run
        if "GH_TOKEN" in step.get("env", {}):
            assert "proto run" not in step["run"], step["name"]
            assert 'proto sheriff "' not in step["run"], step["name"]


def sheriff_steps(workspace: Path) -> dict[str, tuple[str, dict[str, str]]]:
    import yaml

    ci = yaml.safe_load((workspace / ".github/workflows/ci.yml").read_text())
    return {
        s.get("name", s.get("uses")): (s.get("run", ""), s.get("env", {}))
        for s in ci["jobs"]["sheriff"]["steps"]
    }


def test_the_sheriff_jobs_steps_do_what_they_say(workspace: Path, tmp_path: Path) -> None:
    """The sheriff job's bash, run here with stand-ins for proto and gh on a real repository:
    red core tasks found, each culprit reverted on one branch (a task a revert already fixed is
    skipped), the branch pushed, one pull request opened, and the job failing while core is red."""
    steps = sheriff_steps(workspace)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    (bin_dir / "proto").write_text(
        "#!/bin/bash\n"
        'echo "proto $*" >> "$CALLS"\n'
        'case "$1 $2" in\n'
        '  "list --stage") echo \'[{"name": "url-parser"}, {"name": "text-tools"}]\' ;;\n'
        '  "run lint") echo \'[{"package": "text-tools", "task": "test", "status": "failed"},'
        ' {"package": "url-parser", "task": "test", "status": "failed"},'
        ' {"package": "url-parser", "task": "lint", "status": "passed"}]\'; exit 1 ;;\n'
        '  "run test") [ -n "$(git log -1 --grep=Revert)" ] ;;\n'  # fixed by the revert
        '  "sheriff text-tools") git commit -q --allow-empty -m "Revert \\"Say hi\\""'
        ' && echo "Reverted abc: text-tools test passes again." ;;\n'
        "esac\n"
    )
    (bin_dir / "gh").write_text('#!/bin/bash\necho "gh $*" >> "$CALLS"\n')
    for tool in ("proto", "gh"):
        (bin_dir / tool).chmod(0o755)
    repo = tmp_path / "repo"
    run("git", "init", "-q", "-b", "main", repo, cwd=tmp_path)
    run("git", "commit", "-q", "--allow-empty", "-m", "Say hi", cwd=repo)
    run("git", "init", "-q", "--bare", tmp_path / "origin.git", cwd=tmp_path)
    run("git", "remote", "add", "origin", tmp_path / "origin.git", cwd=repo)
    sha = run("git", "rev-parse", "HEAD", cwd=repo).strip()
    output = tmp_path / "output"
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "CALLS": str(calls), "GITHUB_SHA": sha,
           "GITHUB_OUTPUT": str(output), "GITHUB_REF_NAME": "main",
           "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1"}  # fmt: skip

    def step(name: str, **extra: str) -> subprocess.CompletedProcess[str]:
        script, _ = steps[name]
        output.write_text("")
        return subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=repo, text=True,
                              capture_output=True, env={**env, **extra}, check=False)  # fmt: skip

    def outputs() -> dict[str, str]:
        return dict(line.split("=", 1) for line in output.read_text().splitlines())

    assert step("Which core packages are red").returncode == 0
    assert outputs() == {"red": "text-tools:test url-parser:test"}
    assert "proto run lint typecheck test -p url-parser -p text-tools --json" in calls.read_text()
    found = step("Find the culprits and revert them", RED="text-tools:test url-parser:test")
    assert found.returncode == 0, found.stderr
    assert outputs() == {"branch": f"proto-sheriff/{sha[:12]}", "reverts": "1"}
    assert "url-parser test passes with the reverts made so far" in found.stdout
    assert run("git", "branch", "--show-current", cwd=repo).strip() == f"proto-sheriff/{sha[:12]}"
    assert "proto sheriff url-parser" not in calls.read_text()
    opened = step("Open a pull request with the reverts", BRANCH=f"proto-sheriff/{sha[:12]}")
    assert opened.returncode == 0, opened.stderr
    pushed = run("git", "--git-dir", tmp_path / "origin.git", "branch", "--list", cwd=tmp_path)
    assert f"proto-sheriff/{sha[:12]}" in pushed
    gh = [line for line in calls.read_text().splitlines() if line.startswith("gh ")]
    assert gh[0] == "gh auth setup-git"
    assert gh[1].startswith(f"gh pr create --base main --head proto-sheriff/{sha[:12]} --title")
    body = (repo / "body.md").read_text()
    assert "Reverted abc: text-tools test passes again." in body
    verdict = step("Core is green on main", RED="text-tools:test", PULLS="")
    assert verdict.returncode == 1
    assert "::error::core is red on main (text-tools:test)" in verdict.stdout
    assert step("Core is green on main", RED="", PULLS="").returncode == 0
