"""The CI workflows: actionlint finds nothing, actions are pinned, permissions are minimal."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from tests.conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
LINT = ROOT / "scripts" / "actionlint.cjs"


def actionlint(*files: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["node", str(LINT), *map(str, files)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def load(name: str) -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())


def test_actionlint_finds_nothing():
    assert {p.name for p in WORKFLOWS} == {"plan.yml", "deploy.yml", "deploy-environment.yml"}
    proc = actionlint(*WORKFLOWS)
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr


def test_actionlint_reports_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ vars }}x${{ github.nope }}\n"
    )
    proc = actionlint(bad)
    assert proc.returncode == 1
    assert 'property "nope" is not defined' in proc.stdout and "[expression]" in proc.stdout


def test_every_action_is_pinned_to_a_commit():
    for path in WORKFLOWS:
        for uses in re.findall(r"uses:\s*(\S+)", path.read_text()):
            if uses.startswith("./"):
                continue  # a reusable workflow of this repository
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", uses), f"{path.name}: {uses} is not pinned"


def test_permissions_are_minimal():
    for path in WORKFLOWS:
        workflow = yaml.safe_load(path.read_text())
        assert workflow["permissions"] == {}, path.name
        for name, job in workflow["jobs"].items():
            perms = job.get("permissions", {})
            assert perms.get("contents", "read") == "read", (path.name, name)
            steps = job.get("steps", [])
            assumes = any("configure-aws-credentials" in s.get("uses", "") for s in steps)
            calls = "uses" in job  # a reusable workflow call passes its permissions on
            assert (perms.get("id-token") == "write") == (assumes or calls), (path.name, name)


def test_pull_requests_plan_and_never_deploy():
    plan = load("plan.yml")
    assert list(plan[True]) == ["pull_request"]  # `on:` reads as True in YAML 1.1
    text = (ROOT / ".github" / "workflows" / "plan.yml").read_text()
    assert "main.py plan-review" in text and "GITHUB_STEP_SUMMARY" in text and "gh pr comment" in text
    assert "cdktf deploy" not in text


def test_deploy_runs_dev_then_stg_then_prod_behind_environments():
    deploy = load("deploy.yml")
    assert deploy[True] == {"push": {"branches": ["main"]}}
    jobs = deploy["jobs"]
    assert [j["with"]["environment"] for j in jobs.values()] == ["dev", "stg", "prod"]
    assert "needs" not in jobs["dev"] and jobs["stg"]["needs"] == "dev" and jobs["prod"]["needs"] == "stg"
    assert deploy["concurrency"]["cancel-in-progress"] is False
    job = load("deploy-environment.yml")["jobs"]["deploy"]
    assert job["environment"] == "${{ inputs.environment }}"  # approval rules live on the environment
    assert job["concurrency"]["group"] == "deploy-${{ inputs.environment }}"
    run = "\n".join(s.get("run", "") for s in job["steps"])
    assert (
        'main.py stacks --env "$ENV_NAME"' in run and 'npx cdktf deploy "${stacks[@]}" --auto-approve' in run
    )
    assert run.index("main.py plan-review") < run.index("npx cdktf deploy")  # the guard runs first


def test_the_approver_sees_the_plan_before_approving():
    jobs = load("deploy-environment.yml")["jobs"]
    plan, deploy = jobs["plan"], jobs["deploy"]
    assert "environment" not in plan  # no approval needed to plan and read the report
    assert deploy["needs"] == "plan" and deploy["environment"] == "${{ inputs.environment }}"
    plan_run = "\n".join(s.get("run", "") for s in plan["steps"])
    assert "main.py plan-review" in plan_run and 'plans/plan-review.md >> "$GITHUB_STEP_SUMMARY"' in plan_run
    assert "cdktf deploy" not in plan_run
    [creds] = [s for s in plan["steps"] if "configure-aws-credentials" in s.get("uses", "")]
    assert creds["with"]["role-to-assume"] == "${{ vars[format('PLAN_ROLE_ARN_{0}', inputs.environment)] }}"
