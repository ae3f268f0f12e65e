"""The generated GitHub workflows pass actionlint, zizmor (offline) and the workflow schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import BIN, Runner, run

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("flags", [[], ["--strict-seeds"]], ids=["fix-forward", "strict-seeds"])
def test_workflows_pass_the_linters(tmp_path: Path, proto: Runner, flags: list[str]) -> None:
    result = proto("init", "ws", *flags, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    root = tmp_path / "ws"
    workflows = sorted(str(p) for p in (root / ".github/workflows").glob("*.yml"))
    assert [Path(w).name for w in workflows] == ["ci.yml", "publish.yml"]
    run(BIN / "actionlint", *workflows, cwd=root)
    run(BIN / "zizmor", "--offline", "--min-severity", "medium", ".github/workflows", cwd=root)
    run(BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows,
        cwd=root)  # fmt: skip
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
    assert "proto publish" in publish
    assert "--trusted-publishing always" in publish
